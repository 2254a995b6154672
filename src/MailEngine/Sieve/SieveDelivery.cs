using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MailEngine.Contracts;
using MailEngine.Control;
using Microsoft.Extensions.Logging;

namespace MailEngine.Sieve;

/// <summary>
/// The scripts a local delivery runs, in order (the seed's sieve_before, then the user's, then the
/// console's vacation rule): the global before-script (spam over the threshold into Junk, the seed's
/// spam.sieve), the user's own filter, the vacation rule. A "stop" ends the sequence; the message is
/// kept implicitly only if no script cancelled the keep. A script that fails to compile or run is
/// logged and treated as an implicit keep (RFC 5228 2.10.6), never as a lost message. Compiled
/// scripts are cached by their text.
/// </summary>
public sealed class SieveDelivery(string? beforeScript, IVacationMemory vacations, TimeProvider clock, ILogger logger, Telemetry.EngineCounters? counters = null)
{
    /// <summary>The default global before-script: what the scanner marks as spam goes to Junk.</summary>
    public const string DefaultBeforeScript = """
        require ["spamtestplus", "fileinto", "mailbox", "relational", "comparator-i;ascii-numeric"];
        # The scanner's verdict: 0 untested, 1 clean ... 10 certain spam (RFC 5235); 6 and up is Junk,
        # made if the user has never logged in to IMAP (which makes the special-use folders).
        if spamtest :value "ge" :comparator "i;ascii-numeric" "6" {
            fileinto :create "Junk";
            stop;
        }
        """;

    private readonly ConcurrentDictionary<string, SieveScript?> _compiled = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether the recipient's scripts would refuse the message (reject or ereject), and why: asked at
    /// DATA so a refusal can be the SMTP reply (RFC 5429 2.1). Nothing is recorded: a vacation reply
    /// counts as not sent, so the delivery that follows still decides it.
    /// </summary>
    public string? Refusal(SnapshotMailbox mailbox, SieveMessage message, Func<string, bool> folderExists) =>
        Plan(mailbox, [], message, folderExists, maySendAs: null, dryRun: true).OfType<RejectAction>().FirstOrDefault()?.Reason;

    private sealed class NoVacations : IVacationMemory
    {
        public bool TryRecord(string recipient, string sender, string handle, TimeSpan period, DateTimeOffset now) => false;
    }

    /// <summary>Runs the scripts for one recipient and returns the combined actions (an implicit keep when there is nothing to run).</summary>
    public IReadOnlyList<SieveAction> Plan(SnapshotMailbox mailbox, IReadOnlyList<string> aliases, SieveMessage message, Func<string, bool> folderExists,
        Func<string, bool>? maySendAs, bool dryRun = false)
    {
        var verdict = message.Spam;
        var context = new SieveContext
        {
            Now = clock.GetUtcNow(),
            Recipient = mailbox.Address,
            Aliases = aliases,
            FolderExists = folderExists,
            MaySendAs = maySendAs,
            Vacations = dryRun ? new NoVacations() : vacations,
            SpamScore = verdict?.Score,
            SpamPercent = verdict?.Percent,
        };

        var actions = new List<SieveAction>();
        var implicitKeep = true;
        List<string> keepFlags = [];
        foreach (var (name, text) in new[] { ("before", beforeScript ?? DefaultBeforeScript), ("user", mailbox.SieveScript), ("vacation", mailbox.VacationSieve) })
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            var script = Compile(name, mailbox.Address, text);
            if (script is null) continue;
            var result = SieveInterpreter.Run(script, message, context);
            if (result.Error is not null)
            {
                // The check at DATA (dry run) and the delivery both run the script: both runs count.
                counters?.SieveErrors.Add(1, new("reason", result.BudgetExceeded ? "budget" : "runtime"));
                if (!dryRun || result.BudgetExceeded)
                    logger.LogWarning("Sieve {Script} script of {Address} failed: {Error}; the message is kept", name, mailbox.Address, result.Error);
            }
            foreach (var action in result.Actions)
            {
                if (action is KeepAction { Implicit: true } keep)
                {
                    keepFlags = [.. keep.Flags];
                    continue;
                }

                actions.Add(action);
            }

            implicitKeep &= result.KeptImplicitly;
            if (result.Stopped) break;
        }

        if (implicitKeep && !actions.Any(a => a is KeepAction)) actions.Add(new KeepAction(keepFlags, Implicit: true));
        return actions;
    }

    private SieveScript? Compile(string name, string address, string text)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        return _compiled.GetOrAdd(key, _ =>
        {
            var compiled = SieveParser.Compile(text);
            if (!compiled.Succeeded)
                logger.LogWarning("Sieve {Script} script of {Address} does not compile: {Errors}", name, address, string.Join("; ", compiled.Errors));
            if (_compiled.Count > 10_000) _compiled.Clear();
            return compiled.Script;
        });
    }
}
