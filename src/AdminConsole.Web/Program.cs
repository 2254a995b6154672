using AdminConsole.Web.Hosting;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, WebRootPath = WebRoot.Locate(args) });
builder.AddAdminConsole();

var app = builder.Build();
app.UseAdminConsole();
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
