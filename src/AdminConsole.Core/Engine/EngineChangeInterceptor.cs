using AdminConsole.Core.Domains;
using AdminConsole.Core.Groups;
using AdminConsole.Core.Mailboxes;
using AdminConsole.Core.Vacation;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AdminConsole.Core.Engine;

/// <summary>Requests an engine push after a save that changed anything the snapshot is made of.</summary>
public sealed class EngineChangeInterceptor(EnginePushScheduler scheduler) : SaveChangesInterceptor
{
    private static readonly HashSet<Type> SnapshotTypes = [typeof(MailDomain), typeof(Mailbox), typeof(GroupAlias), typeof(GroupMember), typeof(VacationRule), typeof(Filters.SieveFilter), typeof(Spam.SpamRuleOverride), typeof(Dkim.DkimKey), typeof(Srs.SrsSecret), typeof(Certificates.ServerCertificate)];

    // Per context instance: whether the save in progress touches the snapshot.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, object> _touched = new();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Note(eventData.Context);
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return base.SavingChanges(eventData, result);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Push(eventData.Context);
        return base.SavedChangesAsync(eventData, result, cancellationToken);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Push(eventData.Context);
        return base.SavedChanges(eventData, result);
    }

    private void Note(DbContext? context)
    {
        if (context is null) return;
        if (context.ChangeTracker.Entries().Any(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && SnapshotTypes.Contains(e.Metadata.ClrType)))
            _touched.AddOrUpdate(context, true);
    }

    private void Push(DbContext? context)
    {
        if (context is null || !_touched.Remove(context)) return;
        scheduler.Request();
    }
}
