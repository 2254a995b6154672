using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MailEngine.Tests.Support;

/// <summary>Keeps the engine's warnings and errors so a test can show them and fail on unexpected ones.</summary>
public sealed class RecordingLoggerFactory : ILoggerFactory, ILogger
{
    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>Warnings, for tests that expect one (they do not fail the test).</summary>
    public ConcurrentQueue<string> Warnings { get; } = new();

    public void AddProvider(ILoggerProvider provider) { }
    public ILogger CreateLogger(string categoryName) => this;
    public void Dispose() { }
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Error) Errors.Enqueue($"{formatter(state, exception)} {exception}");
        else if (logLevel == LogLevel.Warning) Warnings.Enqueue(formatter(state, exception));
    }
}
