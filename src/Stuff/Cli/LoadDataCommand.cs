using System.CommandLine;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Stuff.Configuration;
using Stuff.Data;

namespace Stuff.Cli;

/// <summary>
/// `stuff loaddata FILE`: imports a dumpdata file. Every record of every model is checked before
/// anything is written, and the writes happen in one transaction: one bad record means nothing is
/// loaded. Rows with an id that exists are updated; users are matched by username.
/// </summary>
public static class LoadDataCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A file written by `stuff dumpdata`." };
        var command = new Command("loaddata", "Import every model's rows and the users from a dumpdata JSON file, all or nothing.") { file };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var path = parse.GetRequiredValue(file);
            if (!path.Exists) throw new UserFacingException($"{path.FullName} does not exist.");
            using var document = await ReadAsync(path, cancellationToken);

            await using var app = CliHost.Build(parse);
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var userManager = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();

            // Every record of every model is checked before anything is written.
            var now = Timestamps.Truncate(db.Clock.GetUtcNow().UtcDateTime);
            var models = SiteModels.Registered.Select(admin => (Admin: admin, Rows: ModelData.Read(document.RootElement, db, admin, now))).ToList();
            var users = ReadUsers(document.RootElement, now);

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var loaded = new List<string>();
            foreach (var (admin, rows) in models)
            {
                var added = await ModelData.LoadAsync(db, admin, rows, cancellationToken);
                if (rows.Count > 0) loaded.Add($"{admin.Count(rows.Count)} ({added} new, {rows.Count - added} updated)");
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
                $"Loaded {(loaded.Count == 0 ? "" : string.Join(", ", loaded) + " and ")}{users.Count} user(s) ({newUsers} new) from {path.FullName}.");
            return 0;
        }));
        return command;
    }

    /// <summary>Reads the file and checks it is a dump of a version this release reads.</summary>
    private static async Task<JsonDocument> ReadAsync(FileInfo path, CancellationToken cancellationToken)
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

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != DumpDataCommand.Format)
        {
            document.Dispose();
            throw new UserFacingException($"{path.FullName} is not a Stuff data file (written by `stuff dumpdata`). Nothing was loaded.");
        }
        if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var v) || v != DumpDataCommand.FormatVersion)
        {
            document.Dispose();
            throw new UserFacingException($"{path.FullName} has a format version this stuff does not read (expected {DumpDataCommand.FormatVersion}). Nothing was loaded.");
        }
        return document;
    }

    private static List<AppUser> ReadUsers(JsonElement root, DateTime now)
    {
        var users = new List<AppUser>();
        var seenNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (element, index) in Records(root, "users"))
        {
            var record = new Record(element, $"users[{index}]", now);
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
        return users;
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
    private readonly struct Record(JsonElement element, string where, DateTime now)
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
            if (value is null) return now;
            if (value.Value.ValueKind != JsonValueKind.String || !value.Value.TryGetDateTimeOffset(out var time))
                throw Error($"{name} must be an ISO 8601 date and time");
            return Timestamps.Truncate(time.UtcDateTime);
        }
    }
}
