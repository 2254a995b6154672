namespace MailEngine.Contracts;

/// <summary>A message for the engine to send as its own (<see cref="IEngineNode.SendMailAsync"/>).</summary>
/// <param name="Sender">The envelope sender, an address of one of our domains (its DKIM key signs).</param>
/// <param name="Content">The whole message, CRLF line ends, as the queue keeps it.</param>
/// <param name="Kind">What it is, for the engine's log ("alert").</param>
public sealed record OutgoingMail(string Sender, IReadOnlyList<string> Recipients, byte[] Content, string Kind);
