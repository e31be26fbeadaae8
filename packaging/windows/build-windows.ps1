# Build the Windows installer. Run in PowerShell on Windows 10/11 (x64) with:
#   - Python 3.11 or 3.12 (python.org installer, "py" launcher on PATH)
#   - Inno Setup 6 (iscc.exe on PATH, or at the default install path)
# From the repository root:  powershell -ExecutionPolicy Bypass -File packaging\windows\build-windows.ps1
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
py -3 -m venv build\venv-win
build\venv-win\Scripts\pip install --upgrade pip
# sqlcipher3 0.6.4 and later ship a win_amd64 wheel with SQLCipher built in; nothing to compile.
build\venv-win\Scripts\pip install . "pyinstaller>=6.5,<7"
build\venv-win\Scripts\pyinstaller --noconfirm --clean --distpath dist --workpath build\pyinstaller-win packaging\workbench.spec
$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $iscc packaging\windows\installer.iss
Write-Host "Installer written to dist\HousingAdviceWorkbench-setup.exe"
