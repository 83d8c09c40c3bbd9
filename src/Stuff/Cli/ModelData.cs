using System.Globalization;
using System.Text.Json;
using Stuff.Configuration;
using Stuff.Data;

namespace Stuff.Cli;

/// <summary>
/// Every registered model (<see cref="SiteModels.Registered"/>) in the dump: one array per model,
/// named by its plural, one object per row with a member per column, named as the column is
/// ("id", "title", "created_at"). Its fields' own rules check a loaded record.
/// </summary>
public static class ModelData
{
    /// <summary>Writes every row of the model, by id, flushing as it goes; returns how many.</summary>
    public static async Task<int> WriteAsync(Utf8JsonWriter json, AppDbContext db, ModelAdmin admin, CancellationToken cancellationToken)
    {
        var fields = admin.Fields(db);
        var count = 0;
        json.WriteStartArray(admin.Plural);
        await foreach (var row in admin.All(db).WithCancellation(cancellationToken))
        {
            json.WriteStartObject();
            foreach (var field in fields.All) Write(json, field.Key, field.Get(row));
            json.WriteEndObject();
            if (++count % 1000 == 0) await json.FlushAsync(cancellationToken);
        }
        json.WriteEndArray();
        return count;
    }

    private static void Write(Utf8JsonWriter json, string name, object? value)
    {
        switch (value)
        {
            case null: json.WriteNull(name); break;
            case string text: json.WriteString(name, text); break;
            case bool flag: json.WriteBoolean(name, flag); break;
            case DateTime time: json.WriteString(name, DateTime.SpecifyKind(time, DateTimeKind.Utc)); break;
            case DateOnly date: json.WriteString(name, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            case Enum choice: json.WriteString(name, choice.ToString()); break;
            case decimal number: json.WriteNumber(name, number); break;
            case double number: json.WriteNumber(name, number); break;
            case float number: json.WriteNumber(name, number); break;
            case IConvertible whole: json.WriteNumber(name, whole.ToInt64(CultureInfo.InvariantCulture)); break;
            default: json.WriteString(name, value.ToString()); break;
        }
    }

    /// <summary>
    /// Reads and checks every record of the model's array (absent: none); the first bad one stops
    /// the load with where it is and what is wrong.
    /// </summary>
    public static List<object> Read(JsonElement root, AppDbContext db, ModelAdmin admin, DateTime now)
    {
        var rows = new List<object>();
        if (!root.TryGetProperty(admin.Plural, out var array)) return rows;
        if (array.ValueKind != JsonValueKind.Array)
            throw new UserFacingException($"'{admin.Plural}' must be a list of records. Nothing was loaded.");
        var fields = admin.Fields(db);
        var seen = new HashSet<object>();
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            var where = $"{admin.Plural}[{index++}]";
            if (element.ValueKind != JsonValueKind.Object) throw Error(element, where, "is not a JSON object");
            var row = admin.New();
            foreach (var field in fields.All)
            {
                var value = Value(element, where, field, now);
                if (field == fields.Key && value is IConvertible and not string && Convert.ToInt64(value, CultureInfo.InvariantCulture) < 1)
                    throw Error(element, where, $"{field.Key} must be at least 1");
                field.Set(row, value);
            }
            var key = fields.Key.Get(row)!;
            if (!seen.Add(key)) throw Error(element, where, $"{fields.Key.Key} {fields.Key.Text(key)} appears twice in the file");
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// Writes the records: rows whose id exists are updated (all but their id and times; the
    /// update time is the save's), the others added with their own ids. Returns how many were new.
    /// </summary>
    public static async Task<int> LoadAsync(AppDbContext db, ModelAdmin admin, List<object> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return 0;
        var fields = admin.Fields(db);
        var existing = (await admin.FindManyAsync(db, rows.Select(r => fields.Key.Text(fields.Key.Get(r))), tracked: true, cancellationToken))
            .ToDictionary(r => fields.Key.Get(r)!);
        var copied = fields.All.Where(f => f != fields.Key && !f.IsTimestamp).ToList();
        foreach (var row in rows)
        {
            if (existing.TryGetValue(fields.Key.Get(row)!, out var current))
            {
                foreach (var field in copied) field.Set(current, field.Get(row));
            }
            else
            {
                db.Add(row);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await admin.CatchUpIdsAsync(db, cancellationToken);
        return rows.Count - existing.Count;
    }

    private static object? Value(JsonElement element, string where, ModelField field, DateTime now)
    {
        if (!element.TryGetProperty(field.Key, out var json) || json.ValueKind == JsonValueKind.Null)
        {
            if (field.IsTimestamp) return now;
            if (field.Input == FieldInput.Checkbox) return false;
            if (field.Required) throw Error(element, where, $"{field.Key} is missing");
            return field.Type == typeof(string) && !field.Nullable ? "" : null;
        }

        object? value = field.Input switch
        {
            FieldInput.Text or FieldInput.TextArea => json.ValueKind == JsonValueKind.String ? json.GetString()
                : throw Error(element, where, $"{field.Key} must be a string"),
            FieldInput.Checkbox => json.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Error(element, where, $"{field.Key} must be true or false"),
            },
            FieldInput.Integer => json.ValueKind == JsonValueKind.Number && json.TryGetInt64(out var whole) ? field.Read(whole.ToString(CultureInfo.InvariantCulture)) : null,
            FieldInput.Decimal => json.ValueKind == JsonValueKind.Number ? field.Read(json.GetRawText()) : null,
            _ => json.ValueKind == JsonValueKind.String ? field.Read(json.GetString()!) : null,
        };
        if (value is null)
        {
            throw Error(element, where, field.Input switch
            {
                FieldInput.Integer => $"{field.Key} must be a whole number from {field.Min?.ToString(CultureInfo.InvariantCulture)} to {field.Max?.ToString(CultureInfo.InvariantCulture)}",
                FieldInput.Decimal => $"{field.Key} must be a number",
                FieldInput.Date => $"{field.Key} must be a date (YYYY-MM-DD)",
                FieldInput.DateTime => $"{field.Key} must be an ISO 8601 date and time",
                _ => $"{field.Key} must be one of {string.Join(", ", field.Choices.Select(c => c.Value))}",
            });
        }
        if (value is string text && field.Required && string.IsNullOrWhiteSpace(text)) throw Error(element, where, $"{field.Key} is empty");
        if (field.Check(value) is { } problem) throw Error(element, where, $"{field.Key}: {problem.TrimEnd('.')}");
        return value;
    }

    private static UserFacingException Error(JsonElement element, string where, string problem)
    {
        var id = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var i) ? $" (id {i.GetRawText()})" : "";
        return new UserFacingException($"Record {where}{id}: {problem}. Nothing was loaded.");
    }
}
