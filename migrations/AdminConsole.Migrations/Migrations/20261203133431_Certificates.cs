using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace AdminConsole.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Certificates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "acme_accounts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    directory_url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    account_url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    contact = table.Column<List<string>>(type: "text[]", nullable: false),
                    sealed_key = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_acme_accounts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "acme_challenge_answers",
                columns: table => new
                {
                    token = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    name = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    key_authorization = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_acme_challenge_answers", x => x.token);
                });

            migrationBuilder.CreateTable(
                name: "server_certificates",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    names = table.Column<List<string>>(type: "text[]", nullable: false),
                    source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    challenge = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    key_algorithm = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    directory_url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    chain_pem = table.Column<string>(type: "text", nullable: true),
                    sealed_private_key = table.Column<byte[]>(type: "bytea", nullable: true),
                    issuer = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    serial_number = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    not_before = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    not_after = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    renew_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    failed_attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_server_certificates", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "certificate_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    certificate_id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    step = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    message = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_certificate_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_certificate_events_server_certificates_certificate_id",
                        column: x => x.certificate_id,
                        principalTable: "server_certificates",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_acme_accounts_directory_url",
                table: "acme_accounts",
                column: "directory_url",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_certificate_events_certificate_id_at",
                table: "certificate_events",
                columns: new[] { "certificate_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_server_certificates_next_attempt_at",
                table: "server_certificates",
                column: "next_attempt_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "acme_accounts");

            migrationBuilder.DropTable(
                name: "acme_challenge_answers");

            migrationBuilder.DropTable(
                name: "certificate_events");

            migrationBuilder.DropTable(
                name: "server_certificates");
        }
    }
}
