using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace AdminConsole.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "admin_accounts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    password_hash = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    role = table.Column<int>(type: "integer", nullable: false),
                    disabled = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_sign_in_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_admin_accounts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "api_tokens",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    key_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    secret_hash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    scope = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_tokens", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "audit_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    actor = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    action = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    target = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    details = table.Column<string>(type: "jsonb", nullable: true),
                    remote_address = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    friendly_name = table.Column<string>(type: "text", nullable: true),
                    xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "mail_domains",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    default_quota_bytes = table.Column<long>(type: "bigint", nullable: false),
                    max_message_bytes = table.Column<long>(type: "bigint", nullable: false),
                    catch_all_address = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_mail_domains", x => x.id);
                    table.CheckConstraint("ck_mail_domains_max_message_positive", "max_message_bytes > 0");
                    table.CheckConstraint("ck_mail_domains_name_lower", "name = lower(name)");
                    table.CheckConstraint("ck_mail_domains_quota_positive", "default_quota_bytes > 0");
                });

            migrationBuilder.CreateTable(
                name: "group_aliases",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    domain_id = table.Column<Guid>(type: "uuid", nullable: false),
                    local_part = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    address = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_group_aliases", x => x.id);
                    table.CheckConstraint("ck_group_aliases_address_lower", "address = lower(address)");
                    table.ForeignKey(
                        name: "fk_group_aliases_domains_domain_id",
                        column: x => x.domain_id,
                        principalTable: "mail_domains",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "mailboxes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    domain_id = table.Column<Guid>(type: "uuid", nullable: false),
                    local_part = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    address = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    display_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    password_hash = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    quota_bytes = table.Column<long>(type: "bigint", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_mailboxes", x => x.id);
                    table.CheckConstraint("ck_mailboxes_address_lower", "address = lower(address)");
                    table.CheckConstraint("ck_mailboxes_quota_positive", "quota_bytes > 0");
                    table.ForeignKey(
                        name: "fk_mailboxes_domains_domain_id",
                        column: x => x.domain_id,
                        principalTable: "mail_domains",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "group_members",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    group_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    mailbox_id = table.Column<Guid>(type: "uuid", nullable: true),
                    nested_group_id = table.Column<Guid>(type: "uuid", nullable: true),
                    external_address = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_group_members", x => x.id);
                    table.CheckConstraint("ck_group_members_one_target", "(kind = 0 AND mailbox_id IS NOT NULL AND nested_group_id IS NULL AND external_address IS NULL) OR (kind = 1 AND mailbox_id IS NULL AND nested_group_id IS NOT NULL AND external_address IS NULL) OR (kind = 2 AND mailbox_id IS NULL AND nested_group_id IS NULL AND external_address IS NOT NULL)");
                    table.ForeignKey(
                        name: "fk_group_members_group_aliases_group_id",
                        column: x => x.group_id,
                        principalTable: "group_aliases",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_group_members_group_aliases_nested_group_id",
                        column: x => x.nested_group_id,
                        principalTable: "group_aliases",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_group_members_mailboxes_mailbox_id",
                        column: x => x.mailbox_id,
                        principalTable: "mailboxes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "vacation_rules",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    mailbox_id = table.Column<Guid>(type: "uuid", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    subject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    body = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false),
                    starts_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ends_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    reply_interval_days = table.Column<int>(type: "integer", nullable: false),
                    extra_addresses = table.Column<List<string>>(type: "text[]", nullable: false),
                    updated_by = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_vacation_rules", x => x.id);
                    table.CheckConstraint("ck_vacation_rules_interval", "reply_interval_days BETWEEN 1 AND 365");
                    table.CheckConstraint("ck_vacation_rules_period", "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at");
                    table.ForeignKey(
                        name: "fk_vacation_rules_mailboxes_mailbox_id",
                        column: x => x.mailbox_id,
                        principalTable: "mailboxes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_admin_accounts_email",
                table: "admin_accounts",
                column: "email",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_tokens_key_id",
                table: "api_tokens",
                column: "key_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_tokens_name",
                table: "api_tokens",
                column: "name",
                unique: true,
                filter: "revoked_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_at",
                table: "audit_events",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_target_at",
                table: "audit_events",
                columns: new[] { "target", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_group_aliases_address",
                table: "group_aliases",
                column: "address",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_group_aliases_domain_id_local_part",
                table: "group_aliases",
                columns: new[] { "domain_id", "local_part" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_group_members_group_id_external_address",
                table: "group_members",
                columns: new[] { "group_id", "external_address" },
                unique: true,
                filter: "external_address IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_group_members_group_id_mailbox_id",
                table: "group_members",
                columns: new[] { "group_id", "mailbox_id" },
                unique: true,
                filter: "mailbox_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_group_members_group_id_nested_group_id",
                table: "group_members",
                columns: new[] { "group_id", "nested_group_id" },
                unique: true,
                filter: "nested_group_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_group_members_mailbox_id",
                table: "group_members",
                column: "mailbox_id");

            migrationBuilder.CreateIndex(
                name: "ix_group_members_nested_group_id",
                table: "group_members",
                column: "nested_group_id");

            migrationBuilder.CreateIndex(
                name: "ix_mail_domains_name",
                table: "mail_domains",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_mailboxes_address",
                table: "mailboxes",
                column: "address",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_mailboxes_domain_id_local_part",
                table: "mailboxes",
                columns: new[] { "domain_id", "local_part" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_vacation_rules_mailbox_id",
                table: "vacation_rules",
                column: "mailbox_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "admin_accounts");

            migrationBuilder.DropTable(
                name: "api_tokens");

            migrationBuilder.DropTable(
                name: "audit_events");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "group_members");

            migrationBuilder.DropTable(
                name: "vacation_rules");

            migrationBuilder.DropTable(
                name: "group_aliases");

            migrationBuilder.DropTable(
                name: "mailboxes");

            migrationBuilder.DropTable(
                name: "mail_domains");
        }
    }
}
