using AdminCtl;
using Microsoft.Extensions.Configuration;

var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
return await AdminCtlApp.RunAsync(args, configuration, Console.Out, Console.Error);
