namespace Stuff.Pages.Admin;

/// <summary>One step of the breadcrumb trail above an admin page; the last has no link.</summary>
public sealed record Crumb(string Label, string? Href = null);
