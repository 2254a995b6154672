using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminConsole.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AdminSecurity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "recovery_code_hashes",
                table: "admin_accounts",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'::text[]");

            migrationBuilder.AddColumn<string>(
                name: "security_stamp",
                table: "admin_accounts",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValueSql: "md5(random()::text)"); // existing accounts get a stamp of their own

            migrationBuilder.AddColumn<long>(
                name: "totp_last_step",
                table: "admin_accounts",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "totp_secret_protected",
                table: "admin_accounts",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "sign_in_failures",
                columns: table => new
                {
                    address = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    failures = table.Column<int>(type: "integer", nullable: false),
                    first_failure_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    locked_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sign_in_failures", x => x.address);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sign_in_failures");

            migrationBuilder.DropColumn(
                name: "recovery_code_hashes",
                table: "admin_accounts");

            migrationBuilder.DropColumn(
                name: "security_stamp",
                table: "admin_accounts");

            migrationBuilder.DropColumn(
                name: "totp_last_step",
                table: "admin_accounts");

            migrationBuilder.DropColumn(
                name: "totp_secret_protected",
                table: "admin_accounts");
        }
    }
}
