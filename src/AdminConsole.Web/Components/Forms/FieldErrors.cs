using AdminConsole.Core;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Components.Forms;

/// <summary>
/// The errors of one form, by field, from the same refusals the API turns into problem details: the
/// page shows each message beside its field (MudBlazor's Error/ErrorText) and anything else above the
/// buttons. Nothing was written when a refusal arrives here.
/// </summary>
public sealed class FieldErrors
{
    private IReadOnlyDictionary<string, string[]> _fields = new Dictionary<string, string[]>();

    /// <summary>A refusal not tied to a field: not found, changed by someone else.</summary>
    public string? General { get; private set; }

    public bool Has(string field) => _fields.Keys.Any(k => string.Equals(k, field, StringComparison.OrdinalIgnoreCase));

    public string? For(string field) =>
        _fields.FirstOrDefault(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)).Value is { } messages ? string.Join(" ", messages) : null;

    public bool Any => _fields.Count > 0 || General is not null;

    /// <summary>Every message in one line, for an action with no field of its own (a row's button).</summary>
    public string? Summary => General ?? (_fields.Count > 0 ? string.Join(" ", _fields.SelectMany(f => f.Value)) : null);

    public void Clear()
    {
        _fields = new Dictionary<string, string[]>();
        General = null;
    }

    /// <summary>Takes over another form's outcome (one that ran apart, say a preview that may be stale).</summary>
    public void CopyFrom(FieldErrors other)
    {
        _fields = other._fields;
        General = other.General;
    }

    /// <summary>
    /// The field says whether it shows its error (bind it to the field's <c>ErrorChanged</c>). A
    /// MudNumericField validates its own range on every input and so hides the message the page gave it;
    /// MudBlazor then compares the next <c>Error</c> with the last one the page passed, not with what it
    /// shows, so a second refusal in the same words would stay hidden and the Save look silent. Forgetting
    /// the message here when the field hides it makes the next refusal a change that shows.
    /// </summary>
    public void Shown(string field, bool shown)
    {
        if (shown || !Has(field)) return;
        _fields = _fields.Where(e => !string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)).ToDictionary(e => e.Key, e => e.Value);
    }

    public void Set(string field, string message) => _fields = new Dictionary<string, string[]>(_fields) { [field] = [message] };

    /// <summary>Runs a change; a refusal from the domain lands in this object and the answer is false.</summary>
    public async Task<bool> RunAsync(Func<Task> change)
    {
        Clear();
        try
        {
            await change();
            return true;
        }
        catch (DomainValidationException e)
        {
            _fields = e.Errors;
        }
        catch (DomainNotFoundException e)
        {
            General = e.Message;
        }
        catch (DomainVersionMismatchException e)
        {
            General = e.Message;
        }
        catch (DbUpdateConcurrencyException)
        {
            General = "Someone else changed this while you were editing it; reload the page.";
        }

        return false;
    }
}
