using Stuff.Accounts;

namespace Stuff.Tests.Accounts;

public sealed class PasswordRulesTests
{
    [Theory]
    [InlineData("violet kettle drums at noon")]
    [InlineData("tulips under a grey harbour sky")]
    [InlineData("Xk29#mq!Lp0z")]
    public void Good_passphrases_pass(string password) =>
        Assert.Empty(PasswordRules.Check(password, "alice", "alice@example.org"));

    [Fact]
    public void Long_passwords_are_allowed_up_to_128_characters()
    {
        Assert.Empty(PasswordRules.Check(string.Concat(Enumerable.Repeat("plum tree ", 12)) + "orchard!", "alice"));
        Assert.Contains("at most 128", Assert.Single(PasswordRules.Check(new string('k', 60) + new string('q', 69), "alice")));
    }

    [Theory]
    [InlineData("123456789012")]
    [InlineData("908172635445")]
    public void All_digits_are_refused(string password) =>
        Assert.Contains("This password is entirely numeric.", PasswordRules.Check(password));

    [Theory]
    [InlineData("passwordpassword")]
    [InlineData("Password2024!")]
    [InlineData("P@ssw0rd123456")]
    [InlineData("iloveyou1234")]
    [InlineData("qwertyuiopasdf")]
    [InlineData("abcdefghijklmn")]
    [InlineData("aaaaaaaaaaaaaaa")]
    [InlineData("abcabcabcabc")]
    [InlineData("Letmein!!!!!!!")]
    [InlineData("Correct Horse Battery Staple")]
    [InlineData("monkey123456789")]
    public void Common_passwords_are_refused_also_when_decorated(string password) =>
        Assert.Contains("This password is too common.", PasswordRules.Check(password));

    [Theory]
    [InlineData("margaret.hamilton", "margaret.hamilton1")]
    [InlineData("bob", "bob-and-some12")]
    [InlineData("lovelace", "ecalevol12345")]
    public void Passwords_like_the_username_are_refused(string userName, string password) =>
        Assert.Contains("This password is too similar to your username or email address.", PasswordRules.Check(password, userName));
}
