namespace Stuff.Server;

/// <summary>
/// pg_hba.conf lines that let the app's role in with a password over loopback, above the
/// distribution's own lines (the first match wins). Never trust or peer for the app.
/// </summary>
public static class PgHba
{
    public const string Marker = "# stuff: the app's role, password (scram-sha-256) over loopback only";

    public static string[] Lines =>
    [
        Marker,
        $"host    {Layout.Database}    {Layout.ServiceUser}    127.0.0.1/32    scram-sha-256",
        $"host    {Layout.Database}    {Layout.ServiceUser}    ::1/128         scram-sha-256",
        $"host    {Layout.DrillDatabase}    {Layout.ServiceUser}    127.0.0.1/32    scram-sha-256",
        $"host    {Layout.DrillDatabase}    {Layout.ServiceUser}    ::1/128         scram-sha-256",
    ];

    /// <summary>The file with our block right above the first rule; any older copy of the block is removed first.</summary>
    public static string Apply(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n').ToList();
        lines.RemoveAll(l => Lines.Contains(l));
        var first = lines.FindIndex(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'));
        lines.InsertRange(first < 0 ? lines.Count : first, Lines);
        return string.Join('\n', lines);
    }
}
