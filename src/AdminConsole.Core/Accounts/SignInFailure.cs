namespace AdminConsole.Core.Accounts;

/// <summary>
/// Failed sign-ins for one address — any address, whether an account exists or not, so that a lockout
/// says nothing about which accounts exist. Cleared by a successful sign-in.
/// </summary>
public sealed class SignInFailure
{
    /// <summary>The address as typed, normalized (or lower-cased when it is not an address at all).</summary>
    public required string Address { get; set; }

    public int Failures { get; set; }
    public DateTimeOffset FirstFailureAt { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
}
