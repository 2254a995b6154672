using Microsoft.AspNetCore.Components;

namespace AdminConsole.Web.Components.Forms;

/// <summary>
/// <c>onedited</c>: the first input into a field since its last change event, carrying no value (raised by
/// AdminConsole.Web.lib.module.js). For large fields that commit on change: the page hears of an
/// edit at once without the whole text crossing the circuit per keystroke.
/// </summary>
[EventHandler("onedited", typeof(EventArgs), enableStopPropagation: true, enablePreventDefault: true)]
public static class EditedEvent;
