namespace Stuff.Backups;

/// <summary>
/// One backup, drill or off-site send at a time on a server: an exclusive lock on a file in the
/// backup directory (.stuff-backup.lock), waited for up to an hour with a word to the person.
/// </summary>
public sealed class BackupLock : IAsyncDisposable
{
    private readonly FileStream _file;

    private BackupLock(FileStream file) => _file = file;

    public static readonly TimeSpan Within = TimeSpan.FromHours(1);

    public static async Task<BackupLock> TakeAsync(string directory, TextWriter output, CancellationToken cancellationToken)
    {
        Backup.CreateDirectory(directory);
        var path = Path.Combine(directory, ".stuff-backup.lock");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var said = false;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock on Linux: released when the process ends, however it ends.
                return new BackupLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (waited.Elapsed < Within)
            {
                if (!said)
                {
                    await output.WriteLineAsync("Another backup or drill is running; waiting for it ...");
                    said = true;
                }
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
            catch (IOException)
            {
                throw new Configuration.UserFacingException($"Another backup or drill has held {path} for an hour; see what runs: systemctl status stuff-backup stuff-backup-verify.");
            }
            catch (UnauthorizedAccessException)
            {
                throw Backup.CannotWrite(directory);
            }
        }
    }

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
