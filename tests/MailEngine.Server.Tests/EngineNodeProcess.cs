using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MailEngine.Server.Tests;

/// <summary>The engine node as a real process (mailengine-node.dll), started, killed with SIGKILL and restarted by tests.</summary>
public sealed class EngineNodeProcess : IDisposable
{
    private readonly Dictionary<string, string> _environment;
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
            ["Logging__LogLevel__Default"] = "Warning",
        };
        // The nodes of a test run share compiled rule databases (content-named): only the first start compiles them.
        _environment["Engine__Scanner__CacheDirectory"] = Path.Combine(Path.GetTempPath(), "mailengine-tests-hscache");
        if (credentialsDirectory is not null) _environment["Credentials__Directory"] = credentialsDirectory;
    }

    public string Root { get; }
    public int MxPort { get; }
    public int ControlPort { get; }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Starts the node and waits until its MX port accepts connections.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mailengine-node.dll"));
        start.ArgumentList.Add("--contentRoot");
        start.ArgumentList.Add(Root);
        foreach (var (k, v) in _environment) start.Environment[k] = v;
        _process = Process.Start(start) ?? throw new InvalidOperationException("mailengine-node did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"mailengine-node exited with {_process.ExitCode}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, MxPort);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
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
