namespace AdminConsole.Testing;

public static class HttpResponseExtensions
{
    /// <summary>
    /// Where a redirect points: the path and query when it stays on the same origin as the request
    /// (relative or absolute), else the whole absolute address, so an open redirect shows up as one.
    /// </summary>
    public static string? RedirectTarget(this HttpResponseMessage response)
    {
        var location = response.Headers.Location;
        if (location is null) return null;
        if (!location.IsAbsoluteUri) return location.OriginalString;
        var request = response.RequestMessage?.RequestUri;
        return request is not null && Uri.Compare(location, request, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
            ? location.PathAndQuery
            : location.AbsoluteUri;
    }
}
