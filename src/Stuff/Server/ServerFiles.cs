using Stubble.Core;
using Stubble.Core.Builders;
using Stubble.Core.Settings;

namespace Stuff.Server;

/// <summary>
/// The files setup writes on servers: Mustache templates kept in deploy/server/ (where a person
/// reads, diffs and comments them) and embedded in the executable. A value the template names
/// and the caller does not give is an error, never an empty line on a server.
/// </summary>
public static class ServerFiles
{
    private static readonly StubbleVisitorRenderer Renderer = new StubbleBuilder().Build();

    private static readonly RenderSettings Settings = new() { ThrowOnDataMiss = true, SkipHtmlEncoding = true };

    /// <summary>The template's text, as deploy/server/NAME holds it.</summary>
    public static string Template(string name)
    {
        using var stream = typeof(ServerFiles).Assembly.GetManifestResourceStream("server/" + name)
            ?? throw new InvalidOperationException($"deploy/server/{name} is not embedded in the executable.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The file rendered with the values: text for {{name}}, true/false or a list for {{#name}} sections.</summary>
    public static string Render(string name, IReadOnlyDictionary<string, object> values) =>
        Renderer.Render(Template(name), values.ToDictionary(v => v.Key, v => v.Value), Settings);
}
