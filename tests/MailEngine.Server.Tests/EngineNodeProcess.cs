using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MailEngine.Server.Tests;

/// <summary>The engine node as a real process (mailengine-node.dll), started, killed with SIGKILL and restarted by tests.</summary>
public sealed class EngineNodeProcess : IDisposable
{
    private readonly Dictionary<string, string> _environment;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();
    private Process? _process;

    public EngineNodeProcess(string root, int mxPort, int controlPort, string? credentialsDirectory = null)
    {
        Root = root;
        MxPort = mxPort;
        ControlPort = controlPort;
        _environment = new Dictionary<string, string>
        {
            ["Engine__StateDirectory"] = Path.Combine(root, "state"),
            ["Engine__MaildirRoot"] = Path.Combine(root, "mail"),
            ["Engine__HostName"] = "node.example.test",
            ["Engine__Mx__Port"] = mxPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Engine__Submission__Enabled"] = "false",
            ["Engine__Submissions__Enabled"] = "false",
            ["Engine__Control__Url"] = $"http://127.0.0.1:{controlPort}",
            // Its own IMAP ports: never the development defaults a running console may hold.
            ["Engine__Imap__Listener__Port"] = ImapPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Engine__Imap__ImplicitTls__Port"] = ImapsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
            // These processes test crashes, hostile clients and snapshots, with no DNS of their own to ask
            // (SPF/DKIM/DMARC over SMTP are tested in MailEngine.Tests against written zones).
            ["Engine__InboundAuthentication"] = "false",
        };
        // The nodes of a test run share compiled rule databases (content-named): only the first start compiles them.
        _environment["Engine__Scanner__CacheDirectory"] = Path.Combine(Path.GetTempPath(), "mailengine-tests-hscache");
        if (credentialsDirectory is not null) _environment["Credentials__Directory"] = credentialsDirectory;
        _environment["Engine__StateKeyFile"] = StateKeyFile(root);
    }

    /// <summary>
    /// mailengine-node.dll: beside the tests when they reference the node project (MailEngine.Server.Tests),
    /// else in the node project's own build output (the console's tests, which cannot reference a second
    /// web application's Program).
    /// </summary>
    public static string NodeAssembly
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "mailengine-node.dll");
            if (File.Exists(beside)) return beside;
            // tests/<project>/bin/<configuration>/net10.0/ → src/MailEngine.Server/bin/<configuration>/net10.0/
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var built = Path.Combine(output.Parent!.Parent!.Parent!.Parent!.Parent!.FullName, "src", "MailEngine.Server", "bin", output.Parent.Name, output.Name, "mailengine-node.dll");
            return File.Exists(built) ? built : throw new FileNotFoundException($"mailengine-node.dll is neither beside the tests nor at {built}.");
        }
    }

    /// <summary>The node's saved-snapshot key, beside (not inside) its state folder, as a credential would be; made on first use.</summary>
    public static string StateKeyFile(string root)
    {
        var path = Path.Combine(root, "engine-state-key");
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // a secret, as deploy/lib.sh makes it
        }
        return path;
    }

    /// <summary>A snapshot store over the node's state folder, to give a node its snapshot before it starts.</summary>
    public static Control.EngineSnapshotStore SnapshotStore(string root) =>
        new(Path.Combine(root, "state"), Control.SealedSnapshotFile.FromKeyFile(StateKeyFile(root)), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Control.EngineSnapshotStore>.Instance);

    public string Root { get; }
    public int MxPort { get; }
    public int ImapPort { get; } = FreePort();
    public int ImapsPort { get; } = FreePort();

    /// <summary>Whether the process is still running (a crash shows here).</summary>
    public bool Running => _process is { HasExited: false };

    /// <summary>The last lines the node wrote to stdout and stderr, for failure messages.</summary>
    public string Output => string.Join("\n", _output);

    /// <summary>The node's process id (for reading its /proc figures).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("not running");

    /// <summary>When set, the node runs with this many file descriptors at most.</summary>
    public int? FileDescriptorLimit { get; set; }

    /// <summary>User plus system CPU time the node has used so far (/proc/PID/stat fields 14 and 15, in 10 ms clock ticks).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            var stat = File.ReadAllText($"/proc/{ProcessId}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return TimeSpan.FromMilliseconds(10 * (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>Extra settings for the node (Engine__... environment variables), before it starts.</summary>
    public IDictionary<string, string> Environment => _environment;
    public int ControlPort { get; }

    private static readonly System.Collections.Concurrent.ConcurrentBag<FileStream> Reservations = [];

    /// <summary>
    /// A port for a node to listen on, free now and kept free for this test process. Asking the kernel
    /// for port 0 and handing the number on raced with every other test binding port 0 meanwhile (seen:
    /// a node stopped at start, "already in use"). So the port comes from below the ephemeral range
    /// (/proc/sys/net/ipv4/ip_local_port_range), which port-0 binds never use, and is reserved across the
    /// test processes that run side by side by an exclusive lock on a file named after it, held until
    /// this process ends (a crashed process releases it).
    /// </summary>
    public static int FreePort()
    {
        var (ephemeralLow, _) = EphemeralRange();
        var low = 20_000;
        var high = Math.Max(low + 1000, Math.Min(ephemeralLow, 32_768));
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "mailengine-test-ports")).FullName;
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            var port = Random.Shared.Next(low, high);
            FileStream reservation;
            try
            {
                // FileShare.None is an exclusive flock(2) on Linux: a second process cannot open it.
                reservation = new FileStream(Path.Combine(folder, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                continue; // another test process has it
            }

            try
            {
                var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                probe.Stop();
            }
            catch (SocketException)
            {
                reservation.Dispose(); // something outside the tests listens there
                continue;
            }

            Reservations.Add(reservation);
            return port;
        }

        throw new InvalidOperationException($"no free port between {low} and {high}");
    }

    private static (int Low, int High) EphemeralRange()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return (32_768, 60_999);
        }
    }

    /// <summary>Starts the node and waits until its MX, IMAP and control ports accept connections (the control API starts last).</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(FileDescriptorLimit is null ? "dotnet" : "prlimit")
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (FileDescriptorLimit is { } limit)
        {
            // util-linux's prlimit: the node starts with a lowered RLIMIT_NOFILE, as on a machine at its limit.
            start.ArgumentList.Add($"--nofile={limit}:{limit}");
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(NodeAssembly);
        start.ArgumentList.Add("--contentRoot");
        start.ArgumentList.Add(Root);
        foreach (var (k, v) in _environment) start.Environment[k] = v;
        _process = Process.Start(start) ?? throw new InvalidOperationException("mailengine-node did not start");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // A generous bound that only a hung node reaches (a loaded machine is slow, not stuck); a node
        // that does not come up is killed, so that it never keeps its ports after the test.
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // until stdout and stderr are read to their end
                throw new InvalidOperationException($"mailengine-node exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                foreach (var port in new[] { MxPort, ImapPort, ImapsPort, ControlPort })
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                }

                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
            catch (SocketException)
            {
                var output = Output;
                Kill();
                throw new TimeoutException($"mailengine-node did not open its ports {MxPort}, {ImapPort}, {ImapsPort}:\n{output}");
            }
        }
    }

    /// <summary>
    /// Waits until the node answers /healthz with its spam rules compiled (they compile in the
    /// background after the ports open): for tests that measure the node's CPU, which the compilation
    /// would otherwise be part of. Like <see cref="StartAsync"/>, a node that never gets there is killed.
    /// </summary>
    public async Task WaitForScannerAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ControlPort}") };
        var deadline = DateTime.UtcNow.AddMinutes(3);
        var health = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                health = await http.GetStringAsync("/healthz");
                if (health.Contains("\"scanner\":\"ready\"", StringComparison.Ordinal)) return;
            }
            catch (HttpRequestException e)
            {
                health = e.Message;
            }

            await Task.Delay(50);
        }

        var output = Output;
        Kill();
        throw new TimeoutException($"the node's scanner did not become ready: {health}\n{output}");
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 200) _output.TryDequeue(out _);
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a power cut or an OOM kill.</summary>
    public void Kill()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    public void Dispose() => Kill();
}
