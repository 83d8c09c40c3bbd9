using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Stuff.Data;

namespace Stuff.Cli;

/// <summary>
/// `stuff dumpdata`: writes every registered model (<see cref="ModelData"/>) and the users as
/// JSON, streamed so that a large table never sits in memory. Password hashes are left out unless asked for.
/// </summary>
public static class DumpDataCommand
{
    public const string Format = "stuff-dump";
    public const int FormatVersion = 1;

    public static Command Create()
    {
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write to this file instead of standard output.", HelpName = "FILE" };
        var hashes = new Option<bool>("--include-password-hashes")
        {
            Description = "Include password hashes so users can log in after loaddata.",
        };
        var command = new Command("dumpdata", "Export every model's rows and the users as JSON, for loaddata on this or another database.") { output, hashes };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            await using var app = CliHost.Build(parse);
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var withHashes = parse.GetValue(hashes);
            var file = parse.GetValue(output);

            var counts = new Counts();
            if (file is null)
            {
                var writer = parse.InvocationConfiguration.Output;
                if (ReferenceEquals(writer, Console.Out))
                {
                    await using var stdout = Console.OpenStandardOutput();
                    counts = await WriteAsync(db, stdout, withHashes, cancellationToken);
                }
                else
                {
                    // Run inside another program that captures the output (the tests): through its writer.
                    using var buffer = new MemoryStream();
                    counts = await WriteAsync(db, buffer, withHashes, cancellationToken);
                    await writer.WriteAsync(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
                }
            }
            else
            {
                // Write beside the target and rename, so a failed dump never leaves half a file behind.
                var temporary = file.FullName + ".tmp-" + Environment.ProcessId;
                var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
                // Users' names and emails (and perhaps hashes) are nobody else's business: mode 0600.
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                try
                {
                    await using (var stream = new FileStream(temporary, options))
                        counts = await WriteAsync(db, stream, withHashes, cancellationToken);
                    File.Move(temporary, file.FullName, overwrite: true);
                }
                finally
                {
                    File.Delete(temporary);
                }
                await parse.InvocationConfiguration.Error.WriteLineAsync(
                    $"Wrote {string.Join(", ", counts.Models.Select(m => m.Admin.Count(m.Rows)))} and {counts.Users} user(s) to {file.FullName}.");
            }
            return 0;
        }));
        return command;
    }

    private sealed class Counts
    {
        public List<(ModelAdmin Admin, int Rows)> Models { get; } = [];
        public int Users { get; set; }
    }

    private static async Task<Counts> WriteAsync(AppDbContext db, Stream stream, bool withHashes, CancellationToken cancellationToken)
    {
        var counts = new Counts();
        await using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteNumber("version", FormatVersion);

        foreach (var admin in SiteModels.Registered)
            counts.Models.Add((admin, await ModelData.WriteAsync(json, db, admin, cancellationToken)));

        var userCount = 0;
        json.WriteStartArray("users");
        await foreach (var user in db.Users.AsNoTracking().OrderBy(u => u.UserName).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            json.WriteStartObject();
            json.WriteString("username", user.UserName);
            json.WriteString("email", user.Email);
            json.WriteString("first_name", user.FirstName);
            json.WriteString("last_name", user.LastName);
            json.WriteBoolean("is_active", user.IsActive);
            json.WriteBoolean("is_staff", user.IsStaff);
            json.WriteBoolean("is_superuser", user.IsSuperuser);
            json.WriteString("date_joined", DateTime.SpecifyKind(user.DateJoined, DateTimeKind.Utc));
            if (withHashes) json.WriteString("password_hash", user.PasswordHash);
            json.WriteEndObject();
            userCount++;
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
        counts.Users = userCount;
        return counts;
    }
}
