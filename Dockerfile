# Multi-stage build: the SDK builds, the ASP.NET runtime runs. x86-64 only (Hyperscan is x86-only).
# Configured only through environment variables and credential files:
#   Database__Host, Database__Port, Database__Name, Database__Username   where PostgreSQL is
#   CREDENTIALS_DIRECTORY (default /run/secrets)  holds db-password, master-key, metrics-token and
#                                                 engine-state-key (Base64 of 32 random bytes), one file each
#   ASPNETCORE_URLS (default http://+:8080); Engine__* for the mail engine (see README)
# Migrations are an explicit step:  docker run --rm IMAGE /app/adminctl/adminctl migrate
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
COPY . .
RUN dotnet restore AdminConsole.sln \
 && dotnet publish src/AdminConsole.Web -c Release --no-restore -o /out/web \
 && dotnet publish src/AdminCtl -c Release --no-restore -o /out/adminctl

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
# libhyperscan5: the spam scanner's native tiers; libsodium23: Argon2id password hashing (both fall back to managed code without them); publicsuffix: the Public Suffix List.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libhyperscan5 libsodium23 publicsuffix \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/web /app/web
COPY --from=build /out/adminctl /app/adminctl
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    CREDENTIALS_DIRECTORY=/run/secrets \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    Engine__StateDirectory=/var/lib/mail-admin/engine \
    Engine__MaildirRoot=/var/lib/mail-admin/mail \
    Engine__Mx__Address=0.0.0.0 \
    Engine__Submission__Address=0.0.0.0 \
    Engine__Submissions__Address=0.0.0.0
# The image's unprivileged "app" user (UID 1654); mail state goes to a volume it owns. Unprivileged, the
# engine listens on 2525/2587/2465: publish them as 25/587/465 (docker run -p 25:2525 -p 587:2587 -p 465:2465).
RUN mkdir -p /var/lib/mail-admin && chown $APP_UID /var/lib/mail-admin
VOLUME /var/lib/mail-admin
USER $APP_UID
EXPOSE 8080 2525 2587 2465
ENTRYPOINT ["/app/web/AdminConsole.Web"]
