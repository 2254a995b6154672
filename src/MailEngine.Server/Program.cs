using MailEngine.Contracts;
using MailEngine.Hosting;
using MailEngine.Server;

// An engine node: the mail engine without the console. It serves mail from the last snapshot in its
// state folder and serves the engine contract (EngineControlApi) to the console's snapshot follower,
// authenticated with the bearer token in the credential file "engine-control-token"
// ($CREDENTIALS_DIRECTORY).
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddMailEngine(builder.Configuration);
builder.WebHost.UseUrls(builder.Configuration["Engine:Control:Url"] ?? "http://127.0.0.1:8025");

var app = builder.Build();
var credentials = builder.Configuration["Credentials:Directory"] ?? Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
var tokenFile = credentials is null ? null : Path.Combine(credentials, EngineControlRoutes.TokenCredential);
var token = tokenFile is not null && File.Exists(tokenFile) ? File.ReadAllText(tokenFile).Trim() : null;
app.MapEngineControlApi(string.IsNullOrEmpty(token) ? null : token);
app.Run();
