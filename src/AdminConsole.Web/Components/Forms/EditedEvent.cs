using Microsoft.AspNetCore.Components;

namespace AdminConsole.Web.Components.Forms;

/// <summary>
/// "edited": the first input into a field since its last change event, carrying no value (raised and
/// registered by AdminConsole.Web.lib.module.js; it bubbles, so a form's container can listen). For
/// fields that commit on change, and for forms whose save chip must go at the first keystroke: the
/// page hears of an edit at once without the field's text crossing the circuit per keystroke.
/// Attached as an attribute dictionary (<c>@attributes</c> / MudBlazor's <c>UserAttributes</c>):
/// Razor does not turn <c>@onedited</c> into a handler for an attribute declared in this project.
/// </summary>
public static class EditedEvent
{
    /// <summary>
    /// The attributes that run <paramref name="edited"/> on the event. No receiver: the page is not
    /// re-rendered for it (what changes, such as a save chip, renders itself).
    /// </summary>
    public static Dictionary<string, object> Handler(Action edited, Dictionary<string, object>? more = null)
    {
        var attributes = more is null ? [] : new Dictionary<string, object>(more);
        attributes["onedited"] = new EventCallback<EventArgs>(null, edited);
        return attributes;
    }
}
