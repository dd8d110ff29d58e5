using System.Text.Json.Nodes;
using Spectre.Console;

namespace BotSystem.Botctl;

/// <summary>Renders JSON answers as Spectre tables.</summary>
public static class Tables
{
    /// <summary>One row per property: name and value.</summary>
    public static Table OfProperties(JsonObject properties, string? title = null)
    {
        var table = new Table().AddColumns("field", "value");
        if (title is not null)
        {
            table.Title(title);
        }
        foreach (var (name, value) in properties)
        {
            table.AddRow(Markup.Escape(name), Markup.Escape(Format(value)));
        }
        return table;
    }

    /// <summary>One row per property whose value is an object; the columns are the union of their fields.</summary>
    public static Table OfRows(string title, string keyColumn, JsonObject rows)
    {
        var columns = rows.Select(row => row.Value).OfType<JsonObject>().SelectMany(row => row.Select(p => p.Key)).Distinct().ToList();
        var table = new Table().Title(title).AddColumn(new TableColumn(keyColumn) { NoWrap = true });
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }
        foreach (var (key, value) in rows)
        {
            var row = value as JsonObject ?? [];
            table.AddRow([Markup.Escape(key), .. columns.Select(column => Markup.Escape(Format(row[column])))]);
        }
        return table;
    }

    /// <summary>One row per array element; the columns are the given fields, or else the union of their fields.</summary>
    public static Table OfArray(string title, JsonArray items, params string[] fields)
    {
        var objects = items.OfType<JsonObject>().ToList();
        var columns = fields.Length > 0 ? [.. fields] : objects.SelectMany(item => item.Select(p => p.Key)).Distinct().ToList();
        var table = new Table().Title(title);
        foreach (var column in columns)
        {
            // Ids must stay whole so they can be copied into the next command.
            table.AddColumn(new TableColumn(column) { NoWrap = column == columns[0] });
        }
        if (columns.Count == 0)
        {
            table.AddColumn("(none)");
        }
        foreach (var item in objects)
        {
            table.AddRow(columns.Select(column => Markup.Escape(Format(item[column]))).ToArray());
        }
        return table;
    }

    private static string Format(JsonNode? value) => value switch
    {
        null => "",
        JsonValue scalar => scalar.ToString(),
        _ => value.ToJsonString(),
    };
}
