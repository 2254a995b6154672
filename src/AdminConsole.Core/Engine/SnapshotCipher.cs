using System.Text;
using AdminConsole.Core.Security;

namespace AdminConsole.Core.Engine;

/// <summary>
/// Snapshot versions at rest in PostgreSQL: each head and mailbox chunk is sealed with AES-256-GCM under
/// the master key (as the Data Protection key ring is), because they hold password hashes and, with DKIM
/// and TLS, private keys. The associated data names what a blob is (the head of which content, the chunk
/// of which hash), so a blob copied into another row does not decrypt.
/// </summary>
public sealed class SnapshotCipher(MasterKey masterKey)
{
    public byte[] SealHead(string json, byte[] contentHash) => masterKey.Seal(Encoding.UTF8.GetBytes(json), HeadData(contentHash));

    public string OpenHead(byte[] sealedHead, byte[] contentHash) => Encoding.UTF8.GetString(masterKey.Open(sealedHead, HeadData(contentHash)));

    public byte[] SealChunk(string json, string hash) => masterKey.Seal(Encoding.UTF8.GetBytes(json), ChunkData(hash));

    public string OpenChunk(byte[] sealedChunk, string hash) => Encoding.UTF8.GetString(masterKey.Open(sealedChunk, ChunkData(hash)));

    private static byte[] HeadData(byte[] contentHash) => Encoding.ASCII.GetBytes("AdminConsole.SnapshotHead.v1:" + Convert.ToHexStringLower(contentHash));

    private static byte[] ChunkData(string hash) => Encoding.ASCII.GetBytes("AdminConsole.SnapshotChunk.v1:" + hash);
}
