using System.Runtime.InteropServices;

namespace MailEngine.Scanner;

/// <summary>
/// The parts of Hyperscan's C API (libhs.so.5 from Debian's libhyperscan5) the scanner uses, as
/// RECIPES.md describes them: block-mode multi-pattern databases compiled for a target platform,
/// scratch space, scanning with a match callback, and platform and database information.
/// </summary>
internal static unsafe partial class HyperscanNative
{
    public const string Library = "libhs.so.5";

    public const int HS_SUCCESS = 0;
    public const uint HS_FLAG_CASELESS = 1;
    public const uint HS_FLAG_DOTALL = 2;
    public const uint HS_FLAG_MULTILINE = 4;
    public const uint HS_FLAG_SINGLEMATCH = 8;
    public const uint HS_FLAG_UTF8 = 32;
    public const uint HS_FLAG_PREFILTER = 128;
    public const uint HS_MODE_BLOCK = 1;

    /// <summary>hs_platform_info_t: tune, cpu_features (AVX2 = 4, AVX512 = 8, AVX512VBMI = 16), two reserved words.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PlatformInfo
    {
        public uint Tune;
        public ulong CpuFeatures;
        public ulong Reserved1;
        public ulong Reserved2;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CompileError
    {
        public byte* Message;
        public int Expression;
    }

    [LibraryImport(Library, EntryPoint = "hs_version")]
    public static partial byte* Version();

    [LibraryImport(Library, EntryPoint = "hs_valid_platform")]
    public static partial int ValidPlatform();

    [LibraryImport(Library, EntryPoint = "hs_populate_platform")]
    public static partial int PopulatePlatform(PlatformInfo* platform);

    [LibraryImport(Library, EntryPoint = "hs_compile_multi")]
    public static partial int CompileMulti(byte** expressions, uint* flags, uint* ids, uint count, uint mode, PlatformInfo* platform, nint* database, CompileError** error);

    /// <summary>Parses one expression without compiling it: refuses what Hyperscan does not support (cheap placement).</summary>
    [LibraryImport(Library, EntryPoint = "hs_expression_info", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ExpressionInfo(string expression, uint flags, void** info, CompileError** error);

    [LibraryImport(Library, EntryPoint = "hs_free_compile_error")]
    public static partial int FreeCompileError(CompileError* error);

    [LibraryImport(Library, EntryPoint = "hs_free_database")]
    public static partial int FreeDatabase(nint database);

    [LibraryImport(Library, EntryPoint = "hs_alloc_scratch")]
    public static partial int AllocScratch(nint database, nint* scratch);

    [LibraryImport(Library, EntryPoint = "hs_free_scratch")]
    public static partial int FreeScratch(nint scratch);

    [LibraryImport(Library, EntryPoint = "hs_scan")]
    public static partial int Scan(nint database, byte* data, uint length, uint flags, nint scratch, delegate* unmanaged[Cdecl]<uint, ulong, ulong, uint, void*, int> onEvent, void* context);

    [LibraryImport(Library, EntryPoint = "hs_database_info")]
    public static partial int DatabaseInfo(nint database, byte** info);

    /// <summary>The database as bytes (freed with free()), for a program outside .NET to load with hs_deserialize_database.</summary>
    [LibraryImport(Library, EntryPoint = "hs_serialize_database")]
    public static partial int SerializeDatabase(nint database, byte** bytes, nuint* length);

    [LibraryImport(Library, EntryPoint = "hs_deserialize_database")]
    public static partial int DeserializeDatabase(byte* bytes, nuint length, nint* database);

    [LibraryImport(Library, EntryPoint = "hs_database_size")]
    public static partial int DatabaseSize(nint database, nuint* size);
}
