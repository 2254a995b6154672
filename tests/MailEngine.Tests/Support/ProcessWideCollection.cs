namespace MailEngine.Tests.Support;

/// <summary>
/// Tests that take a resource every engine in the test process shares (the password-hashing slots are
/// per process, as they bound the CPU a process spends on hashing): they run alone, so that logins in
/// the other test classes are not refused while they hold it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    public const string Name = "process-wide resources";
}
