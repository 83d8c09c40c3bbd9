using System.Text;
using System.Text.Encodings.Web;
using Npgsql;

// What this stack can do at most for the list page: one prepared query, HTML written by hand
// (HTML-encoded, same rows and markup shape as the app), no framework but Kestrel. The page is
// encoded into the response a few kilobytes at a time: built whole, a page of long rows is one
// string of over 85 KB, which .NET allocates on the large object heap and only a full
// collection frees.
// Usage: ceiling postgres://user:password@host:port/database http://127.0.0.1:PORT
var connectionString = ToConnectionString(args.Length > 0 ? args[0] : throw new ArgumentException("a postgres:// URL expected"));
var url = args.Length > 1 ? args[1] : "http://127.0.0.1:5091";
const int ChunkSize = 8 * 1024;

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls(url);
var app = builder.Build();
var dataSource = NpgsqlDataSource.Create(connectionString);
var encoder = HtmlEncoder.Default;

app.Run(async context =>
{
    var after = int.TryParse(context.Request.Query["after"], out var a) ? a : 0;
    await using var command = dataSource.CreateCommand("SELECT id, junk, things, somenum FROM stuff WHERE id > $1 ORDER BY id LIMIT 100");
    command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = after });
    context.Response.ContentType = "text/html; charset=utf-8";
    var body = context.Response.BodyWriter;
    var html = new StringBuilder(ChunkSize + 1024);
    html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>All stuff</title>")
        .Append("<link rel=\"stylesheet\" href=\"/static/css/site.css\"></head><body><header class=\"site-header\"><a class=\"brand\" href=\"/\">Stuff</a>")
        .Append("<nav aria-label=\"Account\"><a href=\"/account/login\">Log in</a></nav></header><main id=\"main\"><div class=\"toolbar\"><h1>All stuff</h1>")
        .Append("<a class=\"button\" href=\"/new\">New stuff</a></div><table class=\"stuff\"><thead><tr><th scope=\"col\">Junk</th><th scope=\"col\">Things</th>")
        .Append("<th scope=\"col\">Some number</th><th scope=\"col\">Actions</th></tr></thead><tbody>");
    await using (var reader = await command.ExecuteReaderAsync())
    {
        while (await reader.ReadAsync())
        {
            var id = reader.GetInt32(0);
            var junk = encoder.Encode(reader.GetString(1));
            html.Append("<tr><td data-label=\"Junk\">").Append(junk)
                .Append("</td><td class=\"things\" data-label=\"Things\">").Append(encoder.Encode(reader.GetString(2)))
                .Append("</td><td class=\"num\" data-label=\"Some number\">").Append(reader.GetInt32(3))
                .Append("</td><td class=\"actions\"><a aria-label=\"Edit ").Append(junk).Append("\" href=\"/edit/").Append(id).Append("\">Edit</a> · ")
                .Append("<a aria-label=\"Delete ").Append(junk).Append("\" href=\"/delete/").Append(id).Append("\">Delete</a></td></tr>");
            if (html.Length >= ChunkSize) Encode(html, body);
        }
    }
    html.Append("</tbody></table><nav class=\"pager\" aria-label=\"Pages\"><a class=\"button secondary\" href=\"?after=0\" rel=\"next\">Next</a></nav></main>")
        .Append("<footer class=\"site-footer\">Stuff</footer></body></html>");
    Encode(html, body);
    await body.FlushAsync();
});

await app.RunAsync();

// UTF-8 straight into the response's buffers, then the builder is empty again.
static void Encode(StringBuilder html, System.IO.Pipelines.PipeWriter body)
{
    foreach (var chunk in html.GetChunks()) Encoding.UTF8.GetBytes(chunk.Span, body);
    html.Clear();
}

static string ToConnectionString(string url)
{
    var uri = new Uri(url);
    var user = uri.UserInfo.Split(':', 2);
    return new NpgsqlConnectionStringBuilder
    {
        Host = uri.Host,
        Port = uri.Port > 0 ? uri.Port : 5432,
        Database = uri.AbsolutePath.Trim('/'),
        Username = Uri.UnescapeDataString(user[0]),
        Password = user.Length > 1 ? Uri.UnescapeDataString(user[1]) : null,
    }.ConnectionString;
}
