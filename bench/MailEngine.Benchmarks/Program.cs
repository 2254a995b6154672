using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/MailEngine.Benchmarks -- --filter '*'   (or a class: --filter '*Smtp*')
BenchmarkSwitcher.FromAssembly(typeof(MailEngine.Benchmarks.SmtpBenchmarks).Assembly).Run(args);
