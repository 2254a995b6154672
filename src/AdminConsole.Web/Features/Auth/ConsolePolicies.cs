using System.Security.Claims;
using AdminConsole.Core.Accounts;

namespace AdminConsole.Web.Features.Auth;

/// <summary>The roles and policies of the console. API tokens act as administrators limited by their scope.</summary>
public static class ConsolePolicies
{
    public const string AdminRead = "admin-read";
    public const string AdminWrite = "admin-write";
    public const string MailboxUser = "mailbox-user";

    public const string AdministratorRole = "administrator";
    public const string ReadOnlyRole = "read-only";
    public const string MailboxUserRole = "mailbox-user";

    public const string ScopeClaim = "scope";
    public const string ReadScope = "read";

    /// <summary>The role claim of an admin: the role's name as the API and adminctl write it.</summary>
    public static string RoleName(AdminRole role) => AdminAccountService.Role(role);

    public static bool CanWrite(ClaimsPrincipal user) =>
        user.IsInRole(AdministratorRole) && user.FindFirstValue(ScopeClaim) != ReadScope;
}
