using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Stuff.Data;

/// <summary>How a field is edited in the admin's forms.</summary>
public enum FieldInput
{
    Text,
    TextArea,
    Integer,
    Decimal,
    Checkbox,
    Date,
    DateTime,
    Choice,
}

/// <summary>
/// One column of a registered model, as the admin and dumpdata/loaddata know it: its name in the
/// database (which is also its name in URLs, the history, CSV and JSON), its label and hint, and
/// its rules, read from the entity's data annotations and its EF Core configuration. The same
/// rules check a form and a loaded record.
/// </summary>
public sealed class ModelField
{
    private readonly ValidationAttribute[] _others;
    private readonly RequiredAttribute? _required;
    private readonly ValidationAttribute? _length;
    private readonly RangeAttribute? _range;

    internal ModelField(PropertyInfo property, IProperty column)
    {
        Property = property;
        Key = column.GetColumnName();
        Type = System.Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        Nullable = column.IsNullable;
        IsTimestamp = typeof(ITimestamped).IsAssignableFrom(property.ReflectedType)
            && property.Name is nameof(ITimestamped.CreatedAt) or nameof(ITimestamped.UpdatedAt);
        var display = property.GetCustomAttribute<DisplayAttribute>();
        Label = display?.GetName() ?? Words(property.Name);

        var attributes = property.GetCustomAttributes<ValidationAttribute>(inherit: true).ToArray();
        _required = attributes.OfType<RequiredAttribute>().FirstOrDefault();
        _range = attributes.OfType<RangeAttribute>().FirstOrDefault();
        var stringLength = attributes.OfType<StringLengthAttribute>().FirstOrDefault();
        var maxLength = attributes.OfType<MaxLengthAttribute>().FirstOrDefault();
        var minLength = attributes.OfType<MinLengthAttribute>().FirstOrDefault();
        _length = (ValidationAttribute?)stringLength ?? maxLength;
        _others = [.. attributes.Where(a => a is not (RequiredAttribute or RangeAttribute or StringLengthAttribute or MaxLengthAttribute or MinLengthAttribute))];
        MaxLength = stringLength?.MaximumLength ?? maxLength?.Length ?? column.GetMaxLength();
        MinLength = stringLength?.MinimumLength is > 0 and var min ? min : minLength?.Length;

        Input = Type switch
        {
            _ when Type == typeof(string) => MaxLength is null || property.GetCustomAttribute<DataTypeAttribute>()?.DataType == DataType.MultilineText
                ? FieldInput.TextArea : FieldInput.Text,
            _ when Type == typeof(bool) => FieldInput.Checkbox,
            _ when Type.IsEnum => FieldInput.Choice,
            _ when Type == typeof(DateOnly) => FieldInput.Date,
            _ when Type == typeof(DateTime) => FieldInput.DateTime,
            _ when Type == typeof(decimal) || Type == typeof(double) || Type == typeof(float) => FieldInput.Decimal,
            _ when WholeNumberBounds(Type) is not null => FieldInput.Integer,
            _ => throw new NotSupportedException($"{property.DeclaringType?.Name}.{property.Name}: the admin does not edit {Type.Name} fields."),
        };
        // A value type cannot be empty, and a non-nullable column must have a value: both are required (booleans are always one or the other).
        Required = Input != FieldInput.Checkbox && (_required is not null || !Nullable);
        (Min, Max) = _range is not null
            ? (Convert.ToDecimal(_range.Minimum, CultureInfo.InvariantCulture), Convert.ToDecimal(_range.Maximum, CultureInfo.InvariantCulture))
            : WholeNumberBounds(Type) ?? (null, null);
        Hint = display?.GetDescription() ?? Input switch
        {
            FieldInput.Text or FieldInput.TextArea when MaxLength is { } max => $"Up to {max} characters.",
            FieldInput.Integer => $"A whole number from {Min?.ToString(CultureInfo.InvariantCulture)} to {Max?.ToString(CultureInfo.InvariantCulture)}.",
            FieldInput.Decimal when Min is not null => $"A number from {Min?.ToString(CultureInfo.InvariantCulture)} to {Max?.ToString(CultureInfo.InvariantCulture)}.",
            FieldInput.DateTime => "In UTC.",
            _ => null,
        };
        Choices = Type.IsEnum ? [.. Enum.GetNames(Type).Select(n => (n, Words(n)))] : [];
    }

    public PropertyInfo Property { get; }

    /// <summary>The form's field name is Form.{Name}.</summary>
    public string Name => Property.Name;

    /// <summary>The column's name: "title", "in_print", "updated_at".</summary>
    public string Key { get; }

    public string Label { get; }
    public string? Hint { get; }
    public FieldInput Input { get; }

    /// <summary>The value's type, without Nullable&lt;&gt;.</summary>
    public Type Type { get; }

    /// <summary>The column may be null.</summary>
    public bool Nullable { get; }

    /// <summary>One of <see cref="ITimestamped"/>'s times, which the site's clock sets on every save.</summary>
    public bool IsTimestamp { get; }

    public bool Required { get; }
    public int? MaxLength { get; }
    public int? MinLength { get; }
    public decimal? Min { get; }
    public decimal? Max { get; }
    public IReadOnlyList<(string Value, string Label)> Choices { get; }

    public object? Get(object entity) => Property.GetValue(entity);

    public void Set(object entity, object? value) => Property.SetValue(entity, value);

    /// <summary>A value as a form, an address or a CSV file has it (invariant, ISO 8601); <see cref="Display"/> is for reading.</summary>
    public string Text(object? value) => value switch
    {
        null => "",
        DateTime time => time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A value for a person to read: times to the minute, booleans and choices in words.</summary>
    public string Display(object? value) => value switch
    {
        null => "—",
        DateTime time => time.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        bool flag => flag ? "Yes" : "No",
        Enum choice => Words(choice.ToString()),
        _ => Text(value),
    };

    /// <summary>
    /// A form's text as this field's value, checked against every rule: false with a message for
    /// a person when it is missing, of the wrong kind, too long or out of range.
    /// </summary>
    public bool TryParse(string? text, out object? value, out string? error)
    {
        value = null;
        if (Input == FieldInput.Checkbox)
        {
            value = text is "true" or "on";
            error = null;
            return true;
        }
        if (Input == FieldInput.Text) text = text?.Trim();
        if (string.IsNullOrWhiteSpace(text))
        {
            if (Required)
            {
                error = RequiredMessage;
                return false;
            }
            value = Type == typeof(string) && !Nullable ? "" : null;
            error = Check(value);
            return error is null;
        }

        value = Read(text);
        error = value is null ? KindMessage : Check(value);
        return error is null;
    }

    /// <summary>The rules for a value that already has the field's type; null when it keeps them.</summary>
    public string? Check(object? value)
    {
        if (value is null) return Required ? RequiredMessage : null;
        if (Required && value is string blank && string.IsNullOrWhiteSpace(blank)) return RequiredMessage;
        if (value is string text)
        {
            if (MaxLength is { } max && text.Length > max)
                return _length?.ErrorMessage is not null ? _length.FormatErrorMessage(Label) : $"{Label} must be at most {max} characters.";
            if (MinLength is { } min && text.Length < min)
                return _length?.ErrorMessage is not null ? _length.FormatErrorMessage(Label) : $"{Label} must be at least {min} characters.";
        }
        if (Min is not null && value is IConvertible && Input is FieldInput.Integer or FieldInput.Decimal)
        {
            var number = Convert.ToDecimal(value, CultureInfo.InvariantCulture);
            if (number < Min || number > Max)
                return _range?.ErrorMessage is not null ? _range.FormatErrorMessage(Label)
                    : $"{Label} must be from {Min?.ToString(CultureInfo.InvariantCulture)} to {Max?.ToString(CultureInfo.InvariantCulture)}.";
        }
        foreach (var rule in _others)
        {
            if (!rule.IsValid(value)) return rule.FormatErrorMessage(Label);
        }
        return null;
    }

    /// <summary>What a person is told when the field is left empty.</summary>
    public string RequiredMessage => _required?.ErrorMessage is not null ? _required.FormatErrorMessage(Label) : $"{Label} is required.";

    /// <summary>What a person is told when the text is not a value of this kind.</summary>
    public string KindMessage => Input switch
    {
        FieldInput.Integer => $"{Label} must be a whole number.",
        FieldInput.Decimal => $"{Label} must be a number.",
        FieldInput.Date => $"{Label} must be a date (YYYY-MM-DD).",
        FieldInput.DateTime => $"{Label} must be a date and time (YYYY-MM-DDTHH:MM).",
        FieldInput.Choice => $"{Label} must be one of the choices.",
        _ => $"{Label} is not valid.",
    };

    /// <summary>Text as a value of the field's type, or null when it is not one.</summary>
    public object? Read(string text)
    {
        var invariant = CultureInfo.InvariantCulture;
        if (Type == typeof(string)) return text;
        if (Type.IsEnum) return Enum.GetNames(Type).FirstOrDefault(n => n == text) is { } name ? Enum.Parse(Type, name) : null;
        if (Type == typeof(DateOnly)) return DateOnly.TryParseExact(text, "yyyy-MM-dd", invariant, DateTimeStyles.None, out var date) ? date : null;
        if (Type == typeof(DateTime))
            return DateTime.TryParse(text, invariant, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
                ? Timestamps.Truncate(time) : null;
        if (Type == typeof(bool)) return bool.TryParse(text, out var flag) ? flag : null;
        if (Input == FieldInput.Decimal)
            return decimal.TryParse(text, NumberStyles.Number, invariant, out var d) ? Convert.ChangeType(d, Type, invariant) : null;
        if (Input == FieldInput.Integer)
        {
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, invariant, out var whole)) return null;
            var (min, max) = WholeNumberBounds(Type)!.Value;
            return whole < min || whole > max ? null : Convert.ChangeType(whole, Type, invariant);
        }
        return null;
    }

    private static (decimal? Min, decimal? Max)? WholeNumberBounds(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.Int16 => (short.MinValue, short.MaxValue),
        TypeCode.Int32 => (int.MinValue, int.MaxValue),
        TypeCode.Int64 => (long.MinValue, long.MaxValue),
        TypeCode.Byte => (byte.MinValue, byte.MaxValue),
        _ => null,
    };

    /// <summary>"InPrint" → "In print", "PublishedOn" → "Published on": a label for a name nobody labelled.</summary>
    internal static string Words(string name)
    {
        var text = new System.Text.StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0) text.Append(' ').Append(char.ToLowerInvariant(c));
            else text.Append(c);
        }
        return text.ToString();
    }
}
