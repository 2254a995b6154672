using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminConsole.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class MailboxGridSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:pg_trgm", ",,");

            migrationBuilder.CreateIndex(
                name: "ix_mailboxes_address_trgm",
                table: "mailboxes",
                column: "address")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_mailboxes_created_at_address",
                table: "mailboxes",
                columns: new[] { "created_at", "address" });

            migrationBuilder.CreateIndex(
                name: "ix_mailboxes_display_name_address",
                table: "mailboxes",
                columns: new[] { "display_name", "address" });

            migrationBuilder.CreateIndex(
                name: "ix_mailboxes_display_name_trgm",
                table: "mailboxes",
                column: "display_name")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_mailboxes_quota_bytes_address",
                table: "mailboxes",
                columns: new[] { "quota_bytes", "address" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_mailboxes_address_trgm",
                table: "mailboxes");

            migrationBuilder.DropIndex(
                name: "ix_mailboxes_created_at_address",
                table: "mailboxes");

            migrationBuilder.DropIndex(
                name: "ix_mailboxes_display_name_address",
                table: "mailboxes");

            migrationBuilder.DropIndex(
                name: "ix_mailboxes_display_name_trgm",
                table: "mailboxes");

            migrationBuilder.DropIndex(
                name: "ix_mailboxes_quota_bytes_address",
                table: "mailboxes");

            migrationBuilder.AlterDatabase()
                .OldAnnotation("Npgsql:PostgresExtension:pg_trgm", ",,");
        }
    }
}
