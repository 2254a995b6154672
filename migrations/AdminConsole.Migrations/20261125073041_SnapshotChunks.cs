using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminConsole.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class SnapshotChunks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Versions stored whole cannot be read as head + chunks. They are a cache of the desired state:
            // the push at start publishes the current state again, under a higher number.
            migrationBuilder.Sql("DELETE FROM engine_snapshot_versions;");

            migrationBuilder.AddColumn<List<string>>(
                name: "mailbox_chunks",
                table: "engine_snapshot_versions",
                type: "text[]",
                nullable: false);

            migrationBuilder.CreateTable(
                name: "engine_snapshot_chunks",
                columns: table => new
                {
                    hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    content = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_engine_snapshot_chunks", x => x.hash);
                });

            migrationBuilder.Sql("ALTER TABLE engine_snapshot_chunks ALTER COLUMN content SET COMPRESSION lz4;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "engine_snapshot_chunks");

            migrationBuilder.DropColumn(
                name: "mailbox_chunks",
                table: "engine_snapshot_versions");
        }
    }
}
