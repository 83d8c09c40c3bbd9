namespace Stuff.Configuration;

public static class FileModes
{
    /// <summary>A mode as chmod takes it: 0640.</summary>
    public static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0');
}
