using System.Security.Cryptography;
using System.Text;
using MailEngine.Control;
using MailEngine.Hosting;

// An engine node: the mail engine without the console. It serves mail from the last snapshot in its
// state folder and takes new ones on PUT /control/snapshot, authenticated with the bearer token in
// the credential file "engine-control-token" ($CREDENTIALS_DIRECTORY). Without that file the control
// API is off and the node serves the snapshot it has.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddMailEngine(builder.Configuration);
builder.WebHost.UseUrls(builder.Configuration["Engine:Control:Url"] ?? "http://127.0.0.1:8025");

var app = builder.Build();
var credentials = builder.Configuration["Credentials:Directory"] ?? Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
var tokenFile = credentials is null ? null : Path.Combine(credentials, "engine-control-token");
var token = tokenFile is not null && File.Exists(tokenFile) ? File.ReadAllText(tokenFile).Trim() : null;

if (token is not null)
{
    var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
    bool Authorized(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return false;
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim())), expected);
    }

    app.MapGet("/control/status", (HttpContext context, MailEngineHost engine) =>
        Authorized(context) ? Results.Ok(engine.Status) : Results.Unauthorized());
    app.MapPut("/control/snapshot", (HttpContext context, EngineSnapshot snapshot, MailEngineHost engine) =>
    {
        if (!Authorized(context)) return Results.Unauthorized();
        var status = engine.Apply(snapshot);
        return status.AppliedVersion == snapshot.Version ? Results.Ok(status) : Results.Problem(status.LastError, statusCode: StatusCodes.Status409Conflict);
    });
}

app.MapGet("/healthz", (MailEngineHost engine) => engine.Running ? Results.Ok(new { status = "healthy", engine.Status.AppliedVersion }) : Results.StatusCode(503));
app.Run();
