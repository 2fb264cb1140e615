"""The one exception type for bad user input."""


class DataError(ValueError):
    """Input data is unusable. The message says what is wrong and how to fix it.

    Raised for problems a user can fix (a file, a column, a row, a size limit), never for bugs.
    Pages show the message with ``st.error``; the CLI prints it and exits with status 2.
    """
