using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminConsole.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class DnsPublisherSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "dns_publisher_settings",
                columns: table => new
                {
                    domain_id = table.Column<Guid>(type: "uuid", nullable: false),
                    server = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    zone = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    key_name = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    algorithm = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    sealed_secret = table.Column<byte[]>(type: "bytea", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dns_publisher_settings", x => x.domain_id);
                    table.ForeignKey(
                        name: "fk_dns_publisher_settings_domains_domain_id",
                        column: x => x.domain_id,
                        principalTable: "mail_domains",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dns_publisher_settings");
        }
    }
}
