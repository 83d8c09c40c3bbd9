using System.Text.Json;

namespace Stuff.Server;

/// <summary>What `stuff migrate --list --json` says: the migrations a release knows, and those applied to the database (newer releases' included).</summary>
public sealed record MigrationList(IReadOnlyList<string> Known, IReadOnlyList<string> Applied)
{
    /// <summary>Known to the release and not applied.</summary>
    public IReadOnlyList<string> Pending => [.. Known.Except(Applied, StringComparer.Ordinal)];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Null when the text is not such a list.</summary>
    public static MigrationList? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<MigrationList>(json, Json) is { Known: not null, Applied: not null } list ? list : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
