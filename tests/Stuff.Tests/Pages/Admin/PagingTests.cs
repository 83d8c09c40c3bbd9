using Stuff.Data;
using Stuff.Pages.Admin;

namespace Stuff.Tests.Pages.Admin;

public sealed class PagingTests
{
    [Theory]
    [InlineData(0, 1, "1")]
    [InlineData(1000, 1, "1 2 3 4 5 6 7 8 9 10")]
    [InlineData(1001, 1, "1 2 3 … 10 11")]
    [InlineData(2000, 10, "1 2 … 8 9 10 11 12 … 19 20")]
    [InlineData(2000, 20, "1 2 … 18 19 20")]
    [InlineData(2000, 4, "1 2 3 4 5 6 … 19 20")]
    public void Page_links_show_the_ends_and_the_neighbourhood_with_gaps_between(int total, int number, string expected)
    {
        var page = new ListPage<int> { Total = total, Number = number };

        Assert.Equal(expected, string.Join(" ", page.Links().Select(n => n?.ToString() ?? "…")));
    }

    [Theory]
    [InlineData("50%_off\\", "%50\\%\\_off\\\\%")]
    [InlineData("MiXeD", "%mixed%")]
    public void Search_patterns_match_anywhere_and_take_wildcards_literally(string text, string pattern) =>
        Assert.Equal(pattern, LikePattern.Contains(text));
}
