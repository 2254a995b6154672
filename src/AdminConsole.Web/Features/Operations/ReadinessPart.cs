namespace AdminConsole.Web.Features.Operations;

/// <summary>The parts of /healthz/ready beside PostgreSQL.</summary>
internal enum ReadinessPart
{
    EngineNodes,
    Scanner,
    Queue,
    DiskSpace,
    Certificates,
}
