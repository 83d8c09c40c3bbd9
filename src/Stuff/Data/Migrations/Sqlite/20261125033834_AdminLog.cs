using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Stuff.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AdminLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "admin_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    action_time = table.Column<DateTime>(type: "TEXT", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", nullable: true),
                    username = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    object_type = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    object_id = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    object_repr = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    action = table.Column<int>(type: "INTEGER", nullable: false),
                    message = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_admin_log", x => x.id);
                    table.CheckConstraint("ck_admin_log_action", "action IN (1, 2, 3)");
                    table.ForeignKey(
                        name: "FK_admin_log_AspNetUsers_user_id",
                        column: x => x.user_id,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "ix_admin_log_object",
                table: "admin_log",
                columns: new[] { "object_type", "object_id", "action_time" });

            migrationBuilder.CreateIndex(
                name: "ix_admin_log_user",
                table: "admin_log",
                columns: new[] { "user_id", "action_time" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "admin_log");
        }
    }
}
