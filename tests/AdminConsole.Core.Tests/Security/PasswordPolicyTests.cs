using AdminConsole.Core.Security;

namespace AdminConsole.Core.Tests.Security;

public sealed class PasswordPolicyTests
{
    [Theory]
    [InlineData("correct horse battery")]
    [InlineData("zQ7-vault-lamp")]
    [InlineData("ÅÄÖåäöÅÄ")] // 8 characters, 16 bytes
    public void Good_passwords_pass_without_composition_rules(string password) => Assert.Null(PasswordPolicy.Check(password));

    [Theory]
    [InlineData("", "required")]
    [InlineData("short12", "at least 8")]
    [InlineData("password", "most common")]
    [InlineData("PASSWORD1", "most common")]
    [InlineData("iloveyou", "most common")]
    [InlineData("qwertyuiop", "most common")]
    public void Weak_passwords_are_refused_with_a_reason(string password, string reason) =>
        Assert.Contains(reason, PasswordPolicy.Check(password), StringComparison.Ordinal);

    [Fact]
    public void Up_to_128_characters_are_accepted_and_more_are_refused()
    {
        Assert.Null(PasswordPolicy.Check(new string('k', 60) + "Zq9" + new string('m', 65)));
        Assert.Contains("at most 128", PasswordPolicy.Check(new string('k', 129)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_address_or_its_local_part_is_not_a_password()
    {
        Assert.Contains("address itself", PasswordPolicy.Check("averylongname", "averylongname@example.com"), StringComparison.Ordinal);
        Assert.Contains("address itself", PasswordPolicy.Check("Averylongname@Example.com", "averylongname@example.com"), StringComparison.Ordinal);
    }
}
