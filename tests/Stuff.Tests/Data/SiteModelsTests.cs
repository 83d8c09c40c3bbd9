using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Tests.Data;

/// <summary>The declared models are what the permission catalogue and the admin's addresses are made of.</summary>
public sealed class SiteModelsTests
{
    [Fact]
    public void Every_declared_model_has_view_add_change_and_delete_permissions_and_nothing_else_has_any()
    {
        var expected = SiteModels.All.SelectMany(m => new[] { "view", "add", "change", "delete" }.Select(a => $"{m.Name}.{a}"));

        Assert.Equal(expected, Permissions.All.Select(p => p.Value));
        Assert.Equal("Can change user", Permissions.All.Single(p => p.Value == Permissions.UserChange).Label);
        Assert.False(Permissions.Exists("nonsense.view"));
    }

    [Fact]
    public void Names_and_addresses_are_unique_and_lead_back_to_their_model()
    {
        Assert.Equal(SiteModels.All.Count, SiteModels.All.Select(m => m.Name).Distinct().Count());
        Assert.Equal(SiteModels.All.Count, SiteModels.All.Select(m => m.Section).Distinct().Count());
        foreach (var model in SiteModels.All)
        {
            Assert.Same(model, SiteModels.AtSection(model.Section));
            Assert.Same(model, SiteModels.Named(model.Name));
        }
        Assert.Null(SiteModels.AtSection("nonsense"));
    }

    [Theory]
    [InlineData("", "books")]
    [InlineData("Book", "books")]
    [InlineData("book", "book shelves")]
    [InlineData("a_name_longer_than_the_log_keeps", "books")]
    public void A_model_is_refused_names_the_addresses_and_the_history_cannot_hold(string name, string plural)
    {
        var refused = Assert.Throws<ArgumentException>(() => new ModelAdmin<AnyModel>(name, plural));
        Assert.Contains("lower-case letters", refused.Message);
    }

    [Fact]
    public void A_history_link_escapes_the_id()
    {
        Assert.Equal("~/admin/users/a%2Fb%20c/history", SiteModels.Users.HistoryHref("a/b c"));
        Assert.Equal("~/admin/groups/12/history", SiteModels.Groups.HistoryHref("12"));
    }

    private sealed class AnyModel : IVersioned
    {
        public long Version { get; set; }
    }
}
