using System.CommandLine;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Stuff.Configuration;
using Stuff.Data;

namespace Stuff.Cli;

/// <summary>
/// `stuff loaddata FILE`: imports a dumpdata file. Every record is checked before anything is
/// written, and the writes happen in one transaction: one bad record means nothing is loaded.
/// Rows with an id that exists are updated; users are matched by username.
/// </summary>
public static class LoadDataCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A file written by `stuff dumpdata`." };
        var command = new Command("loaddata", "Import stuff and users from a dumpdata JSON file, all or nothing.") { file };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var path = parse.GetRequiredValue(file);
            if (!path.Exists) throw new UserFacingException($"{path.FullName} does not exist.");

            var (stuff, users) = await ReadAsync(path, cancellationToken);

            await using var app = CliHost.Build(parse);
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var userManager = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var ids = stuff.Select(s => s.Id).ToList();
            var existing = await db.Stuff.Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
            foreach (var record in stuff)
            {
                if (existing.TryGetValue(record.Id, out var row))
                {
                    row.Junk = record.Junk;
                    row.Things = record.Things;
                    row.SomeNum = record.SomeNum;
                }
                else
                {
                    db.Stuff.Add(record);
                }
            }
            await db.SaveChangesAsync(cancellationToken);
            if (db.Database.IsNpgsql() && stuff.Count > 0)
            {
                // Explicit ids do not move the identity sequence; without this the next insert would collide.
                await db.Database.ExecuteSqlRawAsync(
                    "SELECT setval(pg_get_serial_sequence('stuff', 'id'), GREATEST((SELECT MAX(id) FROM stuff), 1))", cancellationToken);
            }

            int newUsers = 0;
            foreach (var (record, index) in users.Select((u, i) => (u, i)))
            {
                var user = await userManager.FindByNameAsync(record.UserName!);
                var isNew = user is null;
                user ??= new AppUser { UserName = record.UserName, DateJoined = record.DateJoined };
                user.Email = record.Email;
                user.FirstName = record.FirstName;
                user.LastName = record.LastName;
                user.IsActive = record.IsActive;
                user.IsStaff = record.IsStaff;
                user.IsSuperuser = record.IsSuperuser;
                if (record.PasswordHash is not null) user.PasswordHash = record.PasswordHash;

                var result = isNew ? await userManager.CreateAsync(user) : await userManager.UpdateAsync(user);
                if (!result.Succeeded)
                    throw new UserFacingException($"users[{index}] ({record.UserName}): {UserAccounts.Describe(result)} Nothing was loaded.");
                if (isNew) newUsers++;
            }

            await transaction.CommitAsync(cancellationToken);
            await parse.InvocationConfiguration.Output.WriteLineAsync(
                $"Loaded {stuff.Count} stuff ({stuff.Count - existing.Count} new, {existing.Count} updated) " +
                $"and {users.Count} user(s) ({newUsers} new) from {path.FullName}.");
            return 0;
        }));
        return command;
    }

    /// <summary>Reads and checks every record; the first bad one stops the load with its position and what is wrong.</summary>
    private static async Task<(List<StuffItem> Stuff, List<AppUser> Users)> ReadAsync(FileInfo path, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            await using var stream = path.OpenRead();
            document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw new UserFacingException($"{path.FullName} is not valid JSON (line {e.LineNumber + 1}). Nothing was loaded.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != DumpDataCommand.Format)
                throw new UserFacingException($"{path.FullName} is not a Stuff data file (written by `stuff dumpdata`). Nothing was loaded.");
            if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var v) || v != DumpDataCommand.FormatVersion)
                throw new UserFacingException($"{path.FullName} has a format version this stuff does not read (expected {DumpDataCommand.FormatVersion}). Nothing was loaded.");

            var stuff = new List<StuffItem>();
            var seenIds = new HashSet<int>();
            foreach (var (element, index) in Records(root, "stuff"))
            {
                var record = new Record(element, $"stuff[{index}]");
                var item = new StuffItem
                {
                    Id = record.Int("id", min: 1),
                    Junk = record.String("junk", required: true, maxLength: StuffItem.JunkMaxLength)!,
                    Things = record.String("things", required: true)!,
                    SomeNum = record.Int("somenum"),
                    CreatedAt = record.Time("created_at"),
                    UpdatedAt = record.Time("updated_at"),
                };
                if (!seenIds.Add(item.Id)) throw record.Error($"id {item.Id} appears twice in the file");
                stuff.Add(item);
            }

            var users = new List<AppUser>();
            var seenNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (element, index) in Records(root, "users"))
            {
                var record = new Record(element, $"users[{index}]");
                var user = new AppUser
                {
                    UserName = record.String("username", required: true, maxLength: 150),
                    Email = record.String("email", maxLength: 254),
                    FirstName = record.String("first_name", maxLength: 150),
                    LastName = record.String("last_name", maxLength: 150),
                    IsActive = record.Bool("is_active", fallback: true),
                    IsStaff = record.Bool("is_staff"),
                    IsSuperuser = record.Bool("is_superuser"),
                    DateJoined = record.Time("date_joined"),
                    PasswordHash = record.String("password_hash"),
                };
                if (!seenNames.Add(user.UserName!)) throw record.Error($"username '{user.UserName}' appears twice in the file");
                users.Add(user);
            }
            return (stuff, users);
        }
    }

    private static IEnumerable<(JsonElement Element, int Index)> Records(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var array)) yield break;
        if (array.ValueKind != JsonValueKind.Array)
            throw new UserFacingException($"'{name}' must be a list of records. Nothing was loaded.");
        var index = 0;
        foreach (var element in array.EnumerateArray()) yield return (element, index++);
    }

    /// <summary>One JSON record and where it is, so every complaint names it.</summary>
    private readonly struct Record(JsonElement element, string where)
    {
        public UserFacingException Error(string problem)
        {
            var id = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var i) ? $" (id {i.GetRawText()})" : "";
            return new UserFacingException($"Record {where}{id}: {problem}. Nothing was loaded.");
        }

        private JsonElement? Get(string name)
        {
            if (element.ValueKind != JsonValueKind.Object) throw Error("is not a JSON object");
            return element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
        }

        public int Int(string name, int min = int.MinValue)
        {
            var value = Get(name) ?? throw Error($"{name} is missing");
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
                throw Error($"{name} must be a whole number from -2147483648 to 2147483647");
            if (number < min) throw Error($"{name} must be at least {min}");
            return number;
        }

        public string? String(string name, bool required = false, int maxLength = int.MaxValue)
        {
            var value = Get(name);
            if (value is null)
                return required ? throw Error($"{name} is missing") : null;
            if (value.Value.ValueKind != JsonValueKind.String) throw Error($"{name} must be a string");
            var text = value.Value.GetString()!;
            if (required && string.IsNullOrWhiteSpace(text)) throw Error($"{name} is empty");
            if (text.Length > maxLength) throw Error($"{name} is longer than {maxLength} characters");
            return text;
        }

        public bool Bool(string name, bool fallback = false) => Get(name) switch
        {
            null => fallback,
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            _ => throw Error($"{name} must be true or false"),
        };

        public DateTime Time(string name)
        {
            var value = Get(name);
            if (value is null) return Timestamps.Truncate(DateTime.UtcNow);
            if (value.Value.ValueKind != JsonValueKind.String || !value.Value.TryGetDateTimeOffset(out var time))
                throw Error($"{name} must be an ISO 8601 date and time");
            return Timestamps.Truncate(time.UtcDateTime);
        }
    }
}
