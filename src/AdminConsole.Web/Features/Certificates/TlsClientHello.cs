using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace AdminConsole.Web.Features.Certificates;

/// <summary>
/// What the console's HTTPS needs from a TLS ClientHello before the handshake starts: the server name
/// (RFC 6066 §3) and the ALPN protocols offered (RFC 7301 §3.1). The certificate and the protocol are
/// chosen from them (a tls-alpn-01 validation offers only "acme-tls/1", RFC 8737 §3). Read from the
/// first record as Kestrel hands it over; anything malformed or cut short yields null, and the
/// handshake goes on with the default choice.
/// </summary>
public sealed record TlsClientHello(string? ServerName, IReadOnlyList<string> ApplicationProtocols)
{
    private const byte HandshakeRecord = 0x16, ClientHelloMessage = 0x01;
    private const ushort ServerNameExtension = 0, AlpnExtension = 16;

    public static TlsClientHello? Parse(ReadOnlySequence<byte> record)
    {
        // One record is at most 2^14 bytes plus its header (RFC 8446 §5.1).
        if (record.Length is < 9 or > 16384 + 5 + 256) return null;
        var bytes = record.ToArray();
        try
        {
            return Parse(bytes);
        }
        catch (IndexOutOfRangeException)
        {
            return null;
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static TlsClientHello? Parse(ReadOnlySpan<byte> b)
    {
        if (b[0] != HandshakeRecord || b[5] != ClientHelloMessage) return null;
        var recordEnd = Math.Min(b.Length, 5 + BinaryPrimitives.ReadUInt16BigEndian(b[3..]));
        var messageEnd = 9 + (b[6] << 16 | b[7] << 8 | b[8]);
        if (messageEnd > recordEnd) return null; // spans records: not read here
        var p = 9 + 2 + 32; // legacy_version, random
        p += 1 + b[p]; // legacy_session_id
        p += 2 + BinaryPrimitives.ReadUInt16BigEndian(b[p..]); // cipher_suites
        p += 1 + b[p]; // legacy_compression_methods
        if (p == messageEnd) return new TlsClientHello(null, []); // no extensions at all
        var extensionsEnd = p + 2 + BinaryPrimitives.ReadUInt16BigEndian(b[p..]);
        if (extensionsEnd > messageEnd) return null;
        p += 2;

        string? serverName = null;
        var protocols = new List<string>();
        while (p + 4 <= extensionsEnd)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(b[p..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(b[(p + 2)..]);
            var data = b.Slice(p + 4, length);
            if (p + 4 + length > extensionsEnd) return null;
            if (type == ServerNameExtension)
            {
                // server_name_list: name_type host_name(0), then a 16-bit length and the name.
                var q = 2;
                var listEnd = Math.Min(data.Length, 2 + BinaryPrimitives.ReadUInt16BigEndian(data));
                while (q + 3 <= listEnd)
                {
                    var nameLength = BinaryPrimitives.ReadUInt16BigEndian(data[(q + 1)..]);
                    if (data[q] == 0) serverName = Encoding.ASCII.GetString(data.Slice(q + 3, nameLength));
                    q += 3 + nameLength;
                }
            }
            else if (type == AlpnExtension)
            {
                // protocol_name_list: each name an 8-bit length and its bytes.
                var q = 2;
                var listEnd = Math.Min(data.Length, 2 + BinaryPrimitives.ReadUInt16BigEndian(data));
                while (q < listEnd)
                {
                    var nameLength = data[q];
                    protocols.Add(Encoding.ASCII.GetString(data.Slice(q + 1, nameLength)));
                    q += 1 + nameLength;
                }
            }

            p += 4 + length;
        }

        return new TlsClientHello(serverName, protocols);
    }
}
