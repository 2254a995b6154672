using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminConsole.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class SpamSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "spam_filter_enabled",
                table: "mail_domains",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<double>(
                name: "spam_header_threshold",
                table: "mail_domains",
                type: "double precision",
                nullable: false,
                defaultValue: 5.0);

            migrationBuilder.AddColumn<double>(
                name: "spam_junk_threshold",
                table: "mail_domains",
                type: "double precision",
                nullable: false,
                defaultValue: 6.0);

            migrationBuilder.AddColumn<double>(
                name: "spam_reject_threshold",
                table: "mail_domains",
                type: "double precision",
                nullable: false,
                defaultValue: 15.0);

            migrationBuilder.CreateTable(
                name: "spam_rule_overrides",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    domain_id = table.Column<Guid>(type: "uuid", nullable: false),
                    rule_name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    score = table.Column<double>(type: "double precision", nullable: true),
                    updated_by = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_spam_rule_overrides", x => x.id);
                    table.ForeignKey(
                        name: "fk_spam_rule_overrides_domains_domain_id",
                        column: x => x.domain_id,
                        principalTable: "mail_domains",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_spam_rule_overrides_domain_id_rule_name",
                table: "spam_rule_overrides",
                columns: new[] { "domain_id", "rule_name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "spam_rule_overrides");

            migrationBuilder.DropColumn(
                name: "spam_filter_enabled",
                table: "mail_domains");

            migrationBuilder.DropColumn(
                name: "spam_header_threshold",
                table: "mail_domains");

            migrationBuilder.DropColumn(
                name: "spam_junk_threshold",
                table: "mail_domains");

            migrationBuilder.DropColumn(
                name: "spam_reject_threshold",
                table: "mail_domains");
        }
    }
}
