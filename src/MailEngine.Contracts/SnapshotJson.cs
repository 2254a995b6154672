using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailEngine.Contracts;

/// <summary>
/// The snapshot's JSON form, generated at build time: web defaults (camelCase), null properties left
/// out. A snapshot of 100,000 mailboxes is some 20 MB of JSON, written at every push (PostgreSQL, the
/// engine's snapshot.json) and read by every follower, so the reflection-free path is worth having.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EngineSnapshot))]
[JsonSerializable(typeof(List<SnapshotMailbox>))]
public sealed partial class SnapshotJson : JsonSerializerContext;
