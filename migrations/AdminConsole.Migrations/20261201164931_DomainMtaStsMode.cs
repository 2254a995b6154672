using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminConsole.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class DomainMtaStsMode : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "mta_sts_mode",
                table: "mail_domains",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Testing");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "mta_sts_mode",
                table: "mail_domains");
        }
    }
}
