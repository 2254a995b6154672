using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AdminConsole.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AcmeChallengeAnswerKind : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "challenge",
                table: "acme_challenge_answers",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Http01");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "challenge",
                table: "acme_challenge_answers");
        }
    }
}
