namespace Stuff.Server;

/// <summary>The last lines of a log that another process may be writing, read from its last 256 KiB.</summary>
public static class LogTail
{
    public static IReadOnlyList<string> Read(string path, int lines)
    {
        if (!File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.Length > 256 * 1024) stream.Seek(-256 * 1024, SeekOrigin.End);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines).ToList();
    }
}
