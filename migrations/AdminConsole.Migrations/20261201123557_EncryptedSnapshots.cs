using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminConsole.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class EncryptedSnapshots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The versions stored so far hold password hashes in clear: they go. The console publishes the
            // current state again at start and every minute (encrypted), with a higher version number, so
            // every engine moves on to it and keeps serving its saved snapshot until then.
            migrationBuilder.Sql("DELETE FROM engine_snapshot_versions;");
            migrationBuilder.Sql("DELETE FROM engine_snapshot_chunks;");
            migrationBuilder.Sql("ALTER TABLE engine_snapshot_versions ALTER COLUMN content TYPE bytea USING convert_to(content, 'UTF8');");
            migrationBuilder.Sql("ALTER TABLE engine_snapshot_chunks ALTER COLUMN content TYPE bytea USING convert_to(content, 'UTF8');");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Encrypted versions cannot be read back as text: drop them, the console publishes again.
            migrationBuilder.Sql("DELETE FROM engine_snapshot_versions;");
            migrationBuilder.Sql("DELETE FROM engine_snapshot_chunks;");
            migrationBuilder.Sql("ALTER TABLE engine_snapshot_versions ALTER COLUMN content TYPE text USING convert_from(content, 'UTF8');");
            migrationBuilder.Sql("ALTER TABLE engine_snapshot_chunks ALTER COLUMN content TYPE text USING convert_from(content, 'UTF8');");
        }
    }
}
