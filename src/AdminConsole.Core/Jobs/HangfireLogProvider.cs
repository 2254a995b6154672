using Hangfire.Logging;
using Microsoft.Extensions.Logging;
using HangfireLogLevel = Hangfire.Logging.LogLevel;
using MsLogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace AdminConsole.Core.Jobs;

/// <summary>
/// Hangfire logs through one process-wide provider. This one writes to the host's logging and turns
/// silent, instead of throwing, once that host's logger factory is disposed: several hosts share a
/// process in the tests, and a stopped one must not break the jobs of the others.
/// </summary>
internal sealed class HangfireLogProvider(ILoggerFactory factory) : ILogProvider
{
    public ILog GetLogger(string name)
    {
        try
        {
            return new Logger(factory.CreateLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return new Logger(null);
        }
    }

    private sealed class Logger(ILogger? logger) : ILog
    {
        public bool Log(HangfireLogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            if (logger is null) return false;
            var level = logLevel switch
            {
                HangfireLogLevel.Trace => MsLogLevel.Trace,
                HangfireLogLevel.Debug => MsLogLevel.Debug,
                HangfireLogLevel.Info => MsLogLevel.Information,
                HangfireLogLevel.Warn => MsLogLevel.Warning,
                HangfireLogLevel.Error => MsLogLevel.Error,
                _ => MsLogLevel.Critical,
            };
            try
            {
                if (messageFunc is null) return logger.IsEnabled(level);
                if (!logger.IsEnabled(level)) return false;
#pragma warning disable CA2254 // Hangfire hands over a finished message, not a template.
                logger.Log(level, exception, messageFunc());
#pragma warning restore CA2254
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
